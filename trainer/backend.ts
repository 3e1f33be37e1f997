/**
 * Chooses the TensorFlow.js backend at run time, fastest first:
 *
 * 1. `tensorflow` from `@tensorflow/tfjs-node-gpu` (optional dependency, loaded with a dynamic
 *    `require`: absent where libtensorflow could not be downloaded at install time);
 * 2. `webgpu` (`./webgpu.ts`: Dawn + tfjs-backend-webgpu) on a hardware adapter; `auto` skips a software
 *    adapter (lavapipe, SwiftShader...: slower than wasm) and says so, forcing `webgpu` uses it anyway;
 * 3. `tensorflow` from `@tensorflow/tfjs-node` (libtensorflow on the CPU);
 * 4. `wasm` (`@tensorflow/tfjs-backend-wasm`) with the project's training kernels
 *    (`./wasm/`) and, where `SharedArrayBuffer` and `worker_threads` exist, the threaded
 *    SIMD build on `threads` XNNPACK threads (default: every core);
 * 5. `cpu` (pure JavaScript, slow).
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
import { registerWasmTrainingKernels } from './wasm';
import { adapterLine, initWebGpu, probeWebGpu, type AdapterDetails, type WebGpuOptions } from './webgpu';
import type { BackendStatus } from '../core/training/backends';
import type { BACKEND_CHOICES } from '../core/training/settings';

export type BackendChoice = (typeof BACKEND_CHOICES)[number];
type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendOptions {
  /** 'auto' (default) tries them fastest first (see the file comment); any other value forces that one. */
  backend?: BackendChoice;
  /** Device limits for webgpu (tests). */
  webgpu?: WebGpuOptions;
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
  /** webgpu: the adapter computed on. */
  adapter?: AdapterDetails;
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

function loadTensorflow(packages: string[], skipped: { name: string; reason: string }[]): string {
  for (const pkg of packages) {
    try {
      nodeRequire(pkg);
      return pkg;
    } catch (e) {
      skipped.push({ name: pkg, reason: message(e) });
    }
  }
  return '';
}

/** `auto`'s order; `tensorflow` appears twice: the GPU package first, the CPU one after webgpu. */
type Attempt = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
const AUTO_ORDER: Attempt[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

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
  const order: Attempt[] = choice === 'auto' ? AUTO_ORDER : choice === 'tensorflow' ? ['tensorflow-gpu'] : [choice];
  for (const attempt of order) {
    const name: BackendName = attempt === 'tensorflow-gpu' ? 'tensorflow' : attempt;
    try {
      if (attempt === 'tensorflow-gpu' || attempt === 'tensorflow') {
        const packages =
          choice === 'auto'
            ? [attempt === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node']
            : ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
        const loaded = loadTensorflow(packages, skipped);
        if (!loaded) {
          if (choice === 'auto') continue; // the package and its reason are already in `skipped`
          throw new Error('neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node could be loaded');
        }
        if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend("tensorflow") returned false');
        return { name, detail: loaded, threads: defaultThreads(), skipped };
      }
      if (attempt === 'webgpu') {
        const adapter = await probeWebGpu();
        if (adapter.software && choice === 'auto') {
          skipped.push({
            name: 'webgpu',
            reason: `only a software adapter (${adapterLine(adapter)}): slower than wasm; choose webgpu to use it anyway`,
          });
          continue;
        }
        await initWebGpu(options.webgpu);
        return {
          name,
          detail: `@tensorflow/tfjs-backend-webgpu on ${adapterLine(adapter)}`,
          threads: 1,
          skipped,
          adapter,
        };
      }
      if (attempt === 'wasm') {
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

/**
 * Every backend in auto's order, whether it can run here and why not, which one `auto` picks, and the
 * WebGPU adapter. Loads what it checks (the native packages, Dawn, the wasm module) but selects nothing.
 */
export async function listBackends(): Promise<BackendStatus[]> {
  const list: BackendStatus[] = [];
  const tryLoad = (pkg: string): string | null => {
    try {
      nodeRequire(pkg);
      return null;
    } catch (e) {
      return message(e);
    }
  };
  for (const [name, pkg] of [
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
    ['webgpu', ''],
    ['tensorflow', '@tensorflow/tfjs-node'],
  ] as const) {
    if (name === 'webgpu') {
      try {
        const adapter = await probeWebGpu();
        list.push({
          name,
          choice: 'webgpu',
          detail: '@tensorflow/tfjs-backend-webgpu (Dawn)',
          available: true,
          reason: adapter.software
            ? 'software adapter: slower than wasm, so auto skips it; choose webgpu to use it'
            : null,
          auto: false,
          adapter,
        });
      } catch (e) {
        list.push({
          name,
          choice: 'webgpu',
          detail: '@tensorflow/tfjs-backend-webgpu (Dawn)',
          available: false,
          reason: message(e),
          auto: false,
        });
      }
      continue;
    }
    const why = tryLoad(pkg);
    list.push({ name, choice: 'tensorflow', detail: pkg, available: why === null, reason: why, auto: false });
  }
  let wasmWhy: string | null = null;
  try {
    if (!('WebAssembly' in globalThis)) throw new Error('this runtime has no WebAssembly');
    wasmDirs();
  } catch (e) {
    wasmWhy = message(e);
  }
  const threaded = typeof SharedArrayBuffer === 'function' ? 'threaded SIMD' : 'SIMD';
  list.push({
    name: 'wasm',
    choice: 'wasm',
    detail: `@tensorflow/tfjs-backend-wasm, ${threaded}, ${defaultThreads()} threads`,
    available: wasmWhy === null,
    reason: wasmWhy,
    auto: false,
  });
  list.push({
    name: 'cpu',
    choice: 'cpu',
    detail: '@tensorflow/tfjs-backend-cpu (JavaScript)',
    available: true,
    reason: null,
    auto: false,
  });
  const pick = list.find((b) => b.available && !(b.name === 'webgpu' && b.adapter?.software));
  if (pick) pick.auto = true;
  return list;
}

/**
 * Where a run goes on when the GPU fails: the first backend after webgpu in auto's order that can run
 * here (tfjs-node's CPU build, then wasm, then cpu).
 */
export function nextBackendAfterGpu(): 'tensorflow' | 'wasm' | 'cpu' {
  try {
    nodeRequire.resolve('@tensorflow/tfjs-node');
    return 'tensorflow';
  } catch {
    // not installed
  }
  try {
    wasmDirs();
    return 'wasm';
  } catch {
    return 'cpu';
  }
}
