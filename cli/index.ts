/**
 * `maskwright`: headless commands on a project file. Exit codes: 0 ok, 1 failed (one line on stderr),
 * 2 usage error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError, oneLine } from '../core/ipc/errors';
import { errnoError, isErrnoError, sqliteError } from '../services/fs-guard';
import type { Command } from './command';
import { COMMANDS } from './commands';
import { err, UsageError } from './output';

const VERSION = '0.1.0';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'maskwright: offline semantic segmentation labeling (headless commands)',
    '',
    'Usage: maskwright <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: maskwright <command> --help)',
    '  -v, --version  print the version',
    '',
    'Exit status: 0 on success, 1 when the command failed, 2 on a usage error.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    // Nothing asked: the usage, as for any other usage error (stderr, exit 2).
    process.stderr.write(`${help()}\n`);
    return 2;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`maskwright: unknown command "${name}" (see maskwright --help)\n`);
    return 2;
  }
  try {
    const config: ParseArgsConfig = {
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    };
    const parsed = parseArgs(config);
    if (parsed.values.help) {
      process.stdout.write(`Usage: maskwright ${command.usage}\n\n${command.summary}\n${command.help ?? ''}`);
      return 0;
    }
    return await command.run(parsed.positionals, parsed.values);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`maskwright ${name}: ${oneLine((e as Error).message)} (usage: maskwright ${command.usage})`);
      return 2;
    }
    err(`maskwright ${name}: ${failureLine(e)}`);
    if (process.env.MASKWRIGHT_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

/**
 * The one line a failure gets: the AppError's message; an I/O error (disk full, permission, missing
 * folder) in words; anything else is a bug, said as such, without a stack (MASKWRIGHT_DEBUG=1 shows it).
 */
function failureLine(e: unknown): string {
  if (e instanceof AppError) return oneLine(e.message);
  const known = sqliteError(e);
  if (known) return known.message;
  if (isErrnoError(e)) {
    return oneLine(errnoError(e).message);
  }
  const message = e instanceof Error ? e.message : String(e);
  return `internal error (a bug; MASKWRIGHT_DEBUG=1 shows details): ${oneLine(message, 300)}`;
}

// `maskwright info P | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    err(`maskwright: ${failureLine(e)}`);
    process.exitCode = 1;
  },
);
