#!/usr/bin/env node
// The kafka-error-exporter command line: find the command in the table, load it, run it, exit with its code.
import { createRequire } from 'node:module';
import { EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './command.js';
import type { CliIo, CommandModule } from './command.js';

/** The commands, loaded on demand (so `codes` never loads the server). Adding a command is one line here. */
const COMMANDS: Readonly<Record<string, { readonly summary: string; load(): Promise<CommandModule> }>> = {
  codes: { summary: 'Print the error-code registry as a table or JSON', load: () => import('./codes.js') },
  explain: {
    summary: 'Explain one error code or name: category, recovery, pattern',
    load: () => import('./explain.js'),
  },
  serve: { summary: 'Run the exporter: the metrics HTTP server (sidecar)', load: () => import('./serve.js') },
};

const HELP_FLAGS = new Set(['-h', '--help']);
const VERSION_FLAGS = new Set(['-v', '--version']);

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const commands = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: kafka-error-exporter <command> [options]

Prometheus and OpenTelemetry metrics for every Kafka protocol error code your clients see.

Commands:
${commands.join('\n')}

Options:
  -h, --help     Show this help; kafka-error-exporter <command> --help shows a command's
  -v, --version  Print the version

${EXIT_CODES_HELP}
`;
}

function version(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return `${pkg.version}\n`;
}

/** Parses the command name, then hands the rest of the arguments to the command. */
async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(mainHelp());
    return EXIT_USAGE;
  }
  if (HELP_FLAGS.has(name)) {
    io.out(mainHelp());
    return EXIT_OK;
  }
  if (VERSION_FLAGS.has(name)) {
    io.out(version());
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`kafka-error-exporter: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  const module = await command.load();
  if (args.some((arg) => HELP_FLAGS.has(arg))) {
    io.out(module.HELP);
    return EXIT_OK;
  }
  return module.run(args, io);
}

const io: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    io.err(`kafka-error-exporter: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
