// Word wrapping for the CLI's fixed-width text: `serve --help` and `explain`.

/** Splits `text` at whitespace into lines of at most `width` characters (a longer word gets a line of its own). */
export function wordWrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
