/**
 * `maskwright`: headless commands on a project file. Exit codes: 0 ok, 1 failed (one line on stderr),
 * 2 usage error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../core/ipc/errors';
import { COMMANDS, type Command } from './commands';
import { UsageError } from './output';

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
  if (!name || name === '-h' || name === '--help' || name === 'help') {
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
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`maskwright ${name}: ${(err as Error).message} (usage: maskwright ${command.usage})\n`);
      return 2;
    }
    if (err instanceof AppError) {
      process.stderr.write(`maskwright ${name}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`maskwright ${name}: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
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
  (err: unknown) => {
    process.stderr.write(`maskwright: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
