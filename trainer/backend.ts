/**
 * Chooses the TensorFlow.js backend at run time, fastest first:
 *
 * 1. `tensorflow` from `@tensorflow/tfjs-node-gpu`, then from `@tensorflow/tfjs-node` (optional
 *    dependencies, loaded with a dynamic `require`: they are absent where libtensorflow could not be
 *    downloaded at install time);
 * 2. `wasm` (`@tensorflow/tfjs-backend-wasm`) with the project's training kernels
 *    (`./wasm-kernels.ts`) and, where `SharedArrayBuffer` and `worker_threads` exist, the threaded
 *    SIMD build on `threads` XNNPACK threads (default: every core);
 * 3. `cpu` (pure JavaScript, slow).
 *
 * Multi-threaded wasm in Node: tfjs 4.22 hard-disables threads in Node (`WASM_HAS_MULTITHREAD_SUPPORT` is
 * false there) and, even when loaded by hand, caps the XNNPACK pool at `os.cpus().length / 2` (it assumes
 * two hyper-threads per core). `initThreadedWasm` therefore loads the threaded SIMD build itself: the
 * pthread worker script (shipped as a JS string) runs from memory (`new Worker(code, { eval: true })`),
 * the main script is given by path, and `os.cpus()` is widened to `2 * threads` entries while the module
 * initialises so that the pool gets `threads` threads; the pool's workers are then unreferenced so that
 * they do not keep the process alive. Any failure (or no answer in `threadInitTimeoutMs`) falls back to
 * the single-threaded SIMD build, and the reason is reported.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { Worker as NodeWorker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { registerWasmTrainingKernels } from './wasm-kernels';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** 'auto' (default) tries tensorflow, wasm, cpu in that order; any other value forces that one. */
  backend?: BackendChoice;
  /** XNNPACK threads for wasm; default: the number of cores. 1 loads the single-threaded build. */
  threads?: number;
  /** How long the threaded wasm build may take to start before the single-threaded one is used. */
  threadInitTimeoutMs?: number;
}

export interface BackendReport {
  name: BackendName;
  /** Human-readable: the package, build and thread count actually in use. */
  detail: string;
  /** Threads the backend computes on (1 for cpu; the XNNPACK pool size for wasm). */
  threads: number;
  /** Each backend tried before the one chosen, and why it was skipped. */
  skipped: { name: string; reason: string }[];
}

const nodeRequire = createRequire(__filename);

function message(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0]!;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function wasmDirs(): { dist: string; wasmOut: string } {
  const root = dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return { dist: join(root, 'dist') + '/', wasmOut: join(root, 'wasm-out') + '/' };
}

let wasmMode: { threaded: boolean; threads: number; note: string } | null = null;

type EmscriptenModule = {
  cwrap: (name: string, ret: string | null, args: string[]) => unknown;
  tfjs?: unknown;
};

/** Loads the threaded SIMD build with `threads` XNNPACK threads (see the file comment). */
async function initThreadedWasm(threads: number, timeoutMs: number): Promise<BackendWasm> {
  const { wasmOut } = wasmDirs();
  const factory = nodeRequire(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js')) as (
    config: Record<string, unknown>,
  ) => Promise<EmscriptenModule>;
  const { wasmWorkerContents } = nodeRequire(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The string holds "\n" escapes inside JS string literals that a template literal turned into newlines.
  const workerCode = wasmWorkerContents.replace(/\n/g, '\\n');
  // Emscripten starts each pthread with `new Worker(locateFile('...worker.js'))` on the global `Worker`
  // it set to worker_threads' class: hand it a subclass that runs the script from memory (no file).
  class EvalWorker extends NodeWorker {
    constructor(_path: string, options?: WorkerOptions) {
      super(workerCode, { ...options, eval: true });
    }
  }
  const realCpus = os.cpus;
  const widened = Array.from({ length: 2 * threads }, () => realCpus()[0]!);
  os.cpus = () => widened;
  let timer: NodeJS.Timeout | undefined;
  try {
    const module = await Promise.race([
      factory({
        locateFile: (p: string) => {
          if (!p.endsWith('.worker.js')) return join(wasmOut, p);
          (globalThis as { Worker?: unknown }).Worker = EvalWorker;
          return p;
        },
        mainScriptUrlOrBlob: join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js'),
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }),
    ]);
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    tfwasm.setThreadsCount(threads);
    const backend = new tfwasm.BackendWasm(module as never);
    // XNNPACK's pool threads are running pthreads, whose workers emscripten keeps referenced: they would
    // keep the process alive after its work is done. They keep working unreferenced.
    const pthread = (module as { PThread?: { runningWorkers?: NodeWorker[]; unusedWorkers?: NodeWorker[] } }).PThread;
    for (const w of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) w.unref();
    return backend;
  } finally {
    if (timer) clearTimeout(timer);
    os.cpus = realCpus;
  }
}

async function tryWasm(threads: number, timeoutMs: number): Promise<string> {
  registerWasmTrainingKernels();
  if (wasmMode == null) {
    const { dist } = wasmDirs();
    let note = '';
    let threaded = false;
    // The package's own factory (single-threaded SIMD build in Node): the fallback.
    const original = tf.findBackendFactory('wasm');
    if (threads > 1 && typeof SharedArrayBuffer === 'function') {
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', () => initThreadedWasm(threads, timeoutMs), 2);
      try {
        threaded = await tf.setBackend('wasm');
        if (!threaded) note = 'threaded build failed to start; ';
      } catch (e) {
        note = `threaded build failed to start (${message(e)}); `;
      }
      if (!threaded) {
        tf.removeBackend('wasm');
        if (original) tf.registerBackend('wasm', original, 2);
      }
    }
    if (!threaded) tfwasm.setWasmPaths(dist);
    wasmMode = { threaded, threads: 1, note };
  }
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tf.setBackend("wasm") returned false');
  const n = tfwasm.getThreadsCount();
  wasmMode.threads = n;
  return `${wasmMode.note}${wasmMode.threaded ? 'threaded SIMD' : 'SIMD'} build, ${n} thread${n === 1 ? '' : 's'}`;
}

/**
 * Selects and initialises a backend (see the file comment). Throws when a forced backend cannot start.
 * Safe to call again: an already initialised backend is reused.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  // We report the backend ourselves (with the reasons the faster ones were skipped); PROD also silences
  // tfjs's console banner that would otherwise land in the CLI's stderr.
  tf.env().set('PROD', true);
  const choice = options.backend ?? 'auto';
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
  const timeoutMs = options.threadInitTimeoutMs ?? 20_000;
  const skipped: { name: string; reason: string }[] = [];
  const order: BackendName[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    try {
      if (name === 'tensorflow') {
        let loaded = '';
        for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
          try {
            nodeRequire(pkg);
            loaded = pkg;
            break;
          } catch (e) {
            skipped.push({ name: pkg, reason: message(e) });
          }
        }
        if (!loaded) throw new Error('neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node could be loaded');
        if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend("tensorflow") returned false');
        return { name, detail: loaded, threads: defaultThreads(), skipped };
      }
      if (name === 'wasm') {
        const detail = await tryWasm(threads, timeoutMs);
        return { name, detail: `@tensorflow/tfjs-backend-wasm, ${detail}`, threads: wasmMode!.threads, skipped };
      }
      if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
      return { name, detail: '@tensorflow/tfjs-backend-cpu (JavaScript)', threads: 1, skipped };
    } catch (e) {
      if (choice !== 'auto') throw new Error(`backend ${name} is not available: ${message(e)}`, { cause: e });
      skipped.push({ name, reason: message(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
