// Parses the seed `kafka-protocol-error-codes.txt` (a web table flattened to one cell per line) into rows.

/** One code row of the seed, with its exact texts. */
export interface SeedRow {
  readonly code: number;
  readonly name: string;
  /** The seed's mark: ✅, ❌ or N/A. */
  readonly mark: '✅' | '❌' | 'N/A';
  readonly description: string;
  /** Empty when the seed's table has no Recovery column (the Success table). */
  readonly recovery: string;
  /** The group heading above the row, e.g. `Topic and Partition Errors (3-6)`. */
  readonly section: string;
}

/** One line of the seed's "Error Code Introduction" table. */
export interface SeedVersionRange {
  readonly from: number;
  readonly to: number;
  readonly versions: string;
}

export interface Seed {
  readonly rows: readonly SeedRow[];
  /** Codes the seed lists under each recovery pattern ("For errors 3, 5, 6, …:"). */
  readonly patterns: {
    readonly metadataRefreshBackoff: readonly number[];
    readonly groupRejoin: readonly number[];
  };
  readonly versionRanges: readonly SeedVersionRange[];
}

const REFERENCE_START = 'Complete Error Code Reference';
const REFERENCE_END = 'Error Handling Patterns';
const MARKS = new Set(['✅', '❌', 'N/A']);

/**
 * Parses the seed text. Throws an Error naming the line when the text does not have the expected shape, so a
 * changed seed fails the generator loudly instead of producing a partial registry.
 */
export function parseSeed(text: string): Seed {
  const lines = text.split(/\r?\n/);
  return {
    rows: parseRows(lines),
    patterns: {
      metadataRefreshBackoff: parsePatternCodes(lines, 'Retry with Exponential Backoff'),
      groupRejoin: parsePatternCodes(lines, 'Consumer Group Recovery Pattern'),
    },
    versionRanges: parseVersionRanges(lines),
  };
}

function parseRows(lines: readonly string[]): SeedRow[] {
  const start = indexOfLine(lines, REFERENCE_START) + 1;
  const end = indexOfLine(lines, REFERENCE_END);
  const rows: SeedRow[] = [];
  let section = '';
  let cells: string[] | null = null;
  let columns = 0;
  const flush = (lineNo: number): void => {
    if (cells === null) return;
    if (cells.length !== columns)
      throw new Error(`seed line ${lineNo}: row has ${cells.length} cells, expected ${columns}`);
    rows.push(toRow(cells, section, lineNo));
    cells = null;
  };
  for (let i = start; i < end; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line === '| Code |') {
      flush(i + 1);
      columns = countHeaderColumns(lines, i);
      i += columns - 1;
    } else if (line.startsWith('| ') && line.endsWith(' |')) {
      flush(i + 1);
      cells = [cellText(line.slice(2))];
    } else if (line.endsWith(' |') && cells !== null) {
      cells.push(cellText(line));
    } else {
      flush(i + 1);
      section = line;
    }
  }
  flush(end);
  return rows;
}

function countHeaderColumns(lines: readonly string[], headerLine: number): number {
  let n = 1;
  while (/^[A-Za-z]+ \|$/.test(lines[headerLine + n]!.trim())) n++;
  return n;
}

function toRow(cells: readonly string[], section: string, lineNo: number): SeedRow {
  const [codeText, name, mark, description, recovery = ''] = cells as [
    string,
    string,
    string,
    string,
    string?,
  ];
  const code = Number(codeText);
  if (!Number.isInteger(code)) throw new Error(`seed line ${lineNo}: bad code ${JSON.stringify(codeText)}`);
  if (!MARKS.has(mark)) throw new Error(`seed line ${lineNo}: bad retriable mark ${JSON.stringify(mark)}`);
  if (!/^[A-Z][A-Z0-9_]*$/.test(name))
    throw new Error(`seed line ${lineNo}: bad name ${JSON.stringify(name)}`);
  return { code, name, mark: mark as SeedRow['mark'], description, recovery, section };
}

/** The codes in the "For errors a, b, c:" line, which must be the first non-empty line after `heading`. */
function parsePatternCodes(lines: readonly string[], heading: string): number[] {
  const at = indexOfLine(lines, heading);
  const next = lines.slice(at + 1).find((line) => line.trim() !== '') ?? '';
  const match = /^For errors ([\d, ]+):$/.exec(next.trim());
  if (!match) throw new Error(`seed: no "For errors …:" line right after ${JSON.stringify(heading)}`);
  return match[1]!.split(',').map((part) => Number(part.trim()));
}

function parseVersionRanges(lines: readonly string[]): SeedVersionRange[] {
  const at = indexOfLine(lines, 'Error Code Introduction');
  const ranges: SeedVersionRange[] = [];
  for (let i = at + 1; i + 1 < lines.length; i++) {
    const range = /^\| (-?\d+) to (\d+) \|$/.exec(lines[i]!.trim());
    if (!range) continue;
    ranges.push({ from: Number(range[1]), to: Number(range[2]), versions: cellText(lines[i + 1]!.trim()) });
  }
  if (ranges.length === 0) throw new Error('seed: no "Error Code Introduction" ranges');
  return ranges;
}

function indexOfLine(lines: readonly string[], text: string): number {
  const at = lines.findIndex((line) => line.trim() === text);
  if (at < 0) throw new Error(`seed: no line ${JSON.stringify(text)}`);
  return at;
}

/** A cell line without its trailing ` |`. */
function cellText(line: string): string {
  return line.replace(/\s*\|$/, '').trim();
}
