// A small Dockerfile reader for the deploy tests: instructions grouped by build stage, with flags, exec-form
// arrays and key=value pairs parsed, so the tests can replay and cross-check what the Dockerfile does.

/** One instruction, continuation lines joined and comment lines dropped. */
export interface Instruction {
  /** Upper-cased keyword: `FROM`, `RUN`, `COPY`, ... */
  readonly keyword: string;
  /** Leading `--name=value` flags (`--from`, `--mount`, `--interval`); a bare `--flag` maps to `''`. */
  readonly flags: Readonly<Record<string, string>>;
  /** The arguments after the flags, as written. */
  readonly args: string;
  /** 1-based line of the keyword, for failure messages. */
  readonly line: number;
}

/** A build stage: its `FROM` image and alias, and the instructions after it. */
export interface Stage {
  readonly image: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

function splitFlags(text: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let rest = text.trimStart();
  for (
    let match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    match;
    match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)
  ) {
    flags[match[1]!] = match[2] ?? '';
    rest = rest.slice(match[0].length);
  }
  return { flags, args: rest.trim() };
}

/** Joins `\` continuations and drops comments and blank lines, as the Dockerfile frontend does. */
export function readInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || (line.trim() === '' && pending === '')) return;
    if (pending === '') start = index + 1;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (continued) return;
    const body = pending.trim();
    pending = '';
    const space = body.search(/\s/);
    const keyword = (space === -1 ? body : body.slice(0, space)).toUpperCase();
    const rest = space === -1 ? '' : body.slice(space + 1);
    const { flags, args } = FLAGGED.has(keyword) ? splitFlags(rest) : { flags: {}, args: rest.trim() };
    instructions.push({ keyword, flags, args: args.replace(/\s+/g, ' '), line: start });
  });
  return instructions;
}

/** Groups instructions into stages; instructions before the first `FROM` (global `ARG`s) are dropped. */
export function readStages(text: string): Stage[] {
  const stages: { image: string; name: string | null; instructions: Instruction[] }[] = [];
  for (const instruction of readInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(' ');
      stages.push({ image, name: as?.toUpperCase() === 'AS' && name ? name : null, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The JSON array of an exec-form instruction (`["node", "x.js"]`); throws for the shell form. */
export function execForm(instruction: Instruction, args = instruction.args): string[] {
  if (!args.startsWith('[')) {
    throw new Error(`line ${instruction.line}: ${instruction.keyword} is in shell form, not exec form`);
  }
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`line ${instruction.line}: ${instruction.keyword} is not an array of strings`);
  }
  return parsed;
}

/** The `key=value` pairs of `ENV` and `LABEL` (quoted values unquoted). */
export function keyValues(args: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of args.matchAll(/([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const value = match[2]!;
    pairs[match[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return pairs;
}

/** The last stage: what the image is. */
export function finalStage(stages: readonly Stage[]): Stage {
  const stage = stages.at(-1);
  if (!stage) throw new Error('the Dockerfile has no FROM');
  return stage;
}

/** Every instruction of `keyword` in `stage`. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The last instruction of `keyword` in `stage` (the one that takes effect), or throws. */
export function lastOf(stage: Stage, keyword: string): Instruction {
  const found = instructionsOf(stage, keyword).at(-1);
  if (!found) throw new Error(`stage ${stage.name ?? stage.image} has no ${keyword}`);
  return found;
}
