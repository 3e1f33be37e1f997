/**
 * What the project's wasm kernels (`./wasm-kernels.ts`, `./wasm-memory-kernels.ts`,
 * `./wasm-batch-norm.ts`) share: calling a registered wasm kernel directly, releasing intermediates,
 * replacing a stock kernel while keeping it as the fallback, and the backend internals they read
 * (where a tensor lives on the heap, the heap's memory object).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type Attrs = Record<string, unknown>;
export type KernelArgs = Parameters<tf.KernelFunc>[0];

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
    backend: backend as unknown as tf.KernelBackend,
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

/** Replaces the stock wasm kernel `name`; `kernelFunc` gets the stock one to fall back on. */
export function replaceKernel(
  name: string,
  kernelFunc: (args: KernelArgs, stock: tf.KernelConfig) => ReturnType<tf.KernelFunc>,
): void {
  const stock = tf.getKernel(name, BACKEND);
  if (stock == null) throw new Error(`wasm kernel ${name} is not registered`);
  tf.unregisterKernel(name, BACKEND);
  tf.registerKernel({ ...stock, kernelFunc: (args) => kernelFunc(args, stock) });
}
