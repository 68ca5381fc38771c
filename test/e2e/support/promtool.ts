// Runs Prometheus's promtool (Debian's `prometheus` package) for the rule and dashboard tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const run = promisify(execFile);

/** Where promtool is looked for: `PROMTOOL`, else Debian's path. */
export const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

/** Throws a clear error when promtool is missing, naming the package that provides it. */
export function requirePromtool(): string {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      `promtool not found at ${PROMTOOL}: install Debian's prometheus package (apt-get install prometheus, as ` +
        `.ci/run does) or set PROMTOOL to its path`,
    );
  }
  return PROMTOOL;
}

export interface PromtoolResult {
  readonly ok: boolean;
  /** stdout and stderr together: promtool prints its findings on either. */
  readonly output: string;
}

/** Runs `promtool <args>` in `cwd`; a non-zero exit is a result, not an exception. */
export async function promtool(args: readonly string[], cwd?: string): Promise<PromtoolResult> {
  try {
    const { stdout, stderr } = await run(requirePromtool(), [...args], { cwd, timeout: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string; code?: unknown };
    if (typeof e.code !== 'number') throw error;
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}

/**
 * Parses PromQL expressions with `promtool check rules`: each becomes a recording rule in a temporary file.
 * The result names the failing expressions by their index in `exprs`, as promtool reports rule numbers.
 */
export async function checkExpressions(exprs: readonly string[]): Promise<PromtoolResult> {
  const dir = await mkdtemp(join(tmpdir(), 'promql-check-'));
  try {
    const file = join(dir, 'exprs.yml');
    const rules = exprs.map((expr, i) => ({ record: `check:expr_${i}`, expr }));
    await writeFile(file, stringify({ groups: [{ name: 'check', rules }] }));
    return await promtool(['check', 'rules', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
