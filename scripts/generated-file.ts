// Writes a generated file, or with `--check` only compares it: exit code 1 and the file named when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `npm run <script>` rewrites `target` with `text`; `npm run <script> -- --check` fails if it differs. */
export function writeOrCheck(target: URL, text: string, script: string, argv = process.argv.slice(2)): void {
  const path = relative(ROOT, fileURLToPath(target));
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (current === text) {
      process.stdout.write(`${path} is current\n`);
    } else {
      process.stderr.write(`${path} is stale: run npm run ${script}\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(target, text);
  process.stdout.write(`wrote ${path}\n`);
}
