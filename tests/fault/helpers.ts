/** Shared pieces of the fault suite: bundling a child script, running processes, reading their lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

export const root = join(__dirname, '..', '..');
export const bin = join(root, 'bin', 'maskwright.cjs');

/** Bundles a TypeScript child script into `dir` (native packages stay external); returns the .cjs path. */
export async function bundle(entry: string, dir: string): Promise<string> {
  const outfile = join(dir, entry.replace(/^.*\//, '').replace(/\.ts$/, '.cjs'));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node script args`; `done` resolves when it exits. `onLine` sees each complete stdout line. */
export function start(
  script: string,
  args: string[],
  options: { onLine?: (line: string, child: ChildProcess) => void; detached?: boolean; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules'), ...options.env },
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const l of lines) options.onLine?.(l, child);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** The `maskwright` CLI as a child process. */
export const cli = (args: string[], options: Parameters<typeof start>[2] = {}) => start(bin, args, options);

/** A stack trace in a command's output: "    at fn (file:line:col)" lines or a bare Node error dump. */
export const hasStackTrace = (text: string): boolean =>
  /^\s+at .+[:(]\d+:\d+\)?$/m.test(text) || /node:internal|^\w*Error: .*\n\s+at /m.test(text);

/** Runs the CLI; a run still going after `limitMs` is killed and reported as a hang. */
export async function cliWithin(
  args: string[],
  limitMs: number,
  options: Parameters<typeof start>[2] = {},
): Promise<Finished & { hung: boolean }> {
  const { child, done } = cli(args, options);
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, limitMs);
  const r = await done;
  clearTimeout(timer);
  return { ...r, hung };
}

/**
 * The fault suite's figures: every case is one command; it either succeeds, or fails with one clear line
 * (exit 1, one stderr line, no stack trace), or shows a stack trace, or hangs. Printed after each file.
 */
export class Tally {
  cases = 0;
  clearErrors = 0;
  stackTraces = 0;
  hangs = 0;
  labelsLost = 0;
  constructor(readonly name: string) {}

  /** Classifies one finished command; returns whether it ended with exactly one clear error line. */
  record(r: Finished & { hung?: boolean }): boolean {
    this.cases++;
    if (r.hung) {
      this.hangs++;
      return false;
    }
    if (hasStackTrace(r.stdout + r.stderr)) {
      this.stackTraces++;
      return false;
    }
    const clear = r.code === 1 && r.stderr.trim().split('\n').length === 1;
    if (clear) this.clearErrors++;
    return clear;
  }

  print(): void {
    process.stdout.write(
      `[fault suite] ${this.name}: ${this.cases} case(s), ${this.clearErrors} clear error(s), ` +
        `${this.stackTraces} stack trace(s), ${this.hangs} hang(s), ${this.labelsLost} label(s) lost\n`,
    );
  }
}
