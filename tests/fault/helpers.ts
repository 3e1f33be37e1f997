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
