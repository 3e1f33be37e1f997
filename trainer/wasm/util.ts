/**
 * What the project's wasm kernels (one per file in this folder) share: the typed kernel config and its
 * registration (replacing a stock kernel keeps it as the fallback), calling a registered wasm kernel
 * directly, releasing intermediates, heap views, and the backend internals they read (where a tensor
 * lives on the heap, the heap's memory object).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type Attrs = Record<string, unknown>;

export const BACKEND = 'wasm';

/** The wasm heap's `WebAssembly.Memory` (the project's TypeScript libs do not declare the type). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The parts of `BackendWasm` that its public type does not expose. */
interface WasmInternals {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number }; delete(dataId: object): void };
  wasm: {
    wasmMemory?: WasmMemory;
    asm?: { memory?: WasmMemory };
    tfjs: { disposeData(id: number): void };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
}

export function internals(backend: BackendWasm): WasmInternals {
  return backend as unknown as WasmInternals;
}

/** Byte offset of a tensor's data on the heap. */
export function memoryOffset(backend: BackendWasm, t: TensorInfo): number {
  return internals(backend).dataIdMap.get(t.dataId).memoryOffset;
}

/** The heap's memory: the threaded build exports it as `wasmMemory`, the others as `asm.memory`. */
export function heapMemory(backend: BackendWasm): WasmMemory | undefined {
  const module = internals(backend).wasm;
  return module.wasmMemory ?? module.asm?.memory;
}

/** Runs a registered wasm kernel directly (no engine bookkeeping, no gradient tape). */
export function run(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: Attrs = {},
): TensorInfo {
  const kernel = tf.getKernel(name, BACKEND);
  if (kernel == null) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({
    inputs,
    attrs: attrs as tf.NamedAttrMap,
    backend,
  }) as TensorInfo;
}

export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return run(backend, 'Transpose', { x }, { perm });
}

export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return run(backend, 'Reshape', { x }, { shape });
}

/**
 * A kernel for the wasm backend, typed by the kernel's Inputs and Attrs interfaces from tfjs-core (as
 * tfjs-backend-wasm's own `KernelConfig`s are). `kernelFunc` returns null to hand the call to the stock
 * wasm kernel of the same name, which registration keeps as the fallback (a kernel the stock backend
 * lacks never returns null).
 */
export interface WasmKernelConfig<I = tf.NamedTensorInfoMap, A = object> {
  kernelName: string;
  backendName: typeof BACKEND;
  kernelFunc: (args: { inputs: I; attrs: A; backend: BackendWasm }) => TensorInfo | TensorInfo[] | null;
}

/** A config with its Inputs/Attrs types erased, for the registration list. */
export type AnyWasmKernelConfig = WasmKernelConfig<never, never>;

/**
 * Registers `config` in place of the stock wasm kernel of the same name (if any), which stays the
 * fallback for calls `config.kernelFunc` declines.
 */
export function registerWasmKernel<I, A>(config: WasmKernelConfig<I, A>): void {
  const { kernelName } = config;
  const stock = tf.getKernel(kernelName, BACKEND);
  if (stock != null) tf.unregisterKernel(kernelName, BACKEND);
  tf.registerKernel({
    // The stock kernel's setupFunc (its C++ entry points, bound when the backend starts) stays.
    ...stock,
    kernelName,
    backendName: BACKEND,
    kernelFunc: (args) => {
      // The engine passes exactly the inputs and attrs the kernel's op declares (tfjs-core's typed
      // interfaces), and the wasm backend: the one place they are narrowed, as tfjs-backend-wasm does.
      const out = config.kernelFunc(args as unknown as { inputs: I; attrs: A; backend: BackendWasm });
      if (out != null) return out;
      if (stock == null) throw new Error(`wasm kernel ${kernelName} declined a call and has no stock fallback`);
      return stock.kernelFunc(args);
    },
  });
}

export type Heap = Float32Array | Int32Array | Uint8Array;

export const NUMERIC = new Set(['float32', 'int32']);

export function heap(backend: BackendWasm, t: TensorInfo): Heap {
  return backend.typedArrayFromHeap(t) as Heap;
}

/** A new tensor on `x`'s buffer (one more reference: wasm kernels never write into their inputs). */
export function shareBuffer(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Copies `n` values; `set` for long runs, a loop for short ones (no subarray object per call). */
export function copyRun(src: Heap, s: number, dst: Heap, d: number, n: number): void {
  if (n >= 64) {
    dst.set(src.subarray(s, s + n), d);
    return;
  }
  for (let i = 0; i < n; i++) dst[d + i] = src[s + i]!;
}
