/**
 * The WebGPU backend in Node: Dawn's Node binding (the `webgpu` package, an N-API addon that loads
 * unchanged in Electron's utilityProcess) provides `navigator.gpu`, and `@tensorflow/tfjs-backend-webgpu`
 * computes on it.
 *
 * - `probeWebGpu()` asks for an adapter and describes it (vendor, architecture, device, description) and
 *   whether it is a software one (lavapipe/llvmpipe, SwiftShader, WARP...): `auto` skips those.
 * - `initWebGpu()` registers tfjs's backend with a factory of our own, so that the device it computes on
 *   reports its errors here: an out-of-memory or validation error (`uncapturederror`) and the loss of the
 *   device (`device.lost`: a driver reset, the GPU unplugged, `device.destroy()`) are recorded, and
 *   `checkWebGpu()` turns them into a `GpuFailure` that the training loop stops on.
 *
 * tfjs's synchronous reads (`dataSync`) go through `OffscreenCanvas`, which Node does not have: on this
 * backend every read must be `await tensor.data()`.
 */
/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import type { AdapterInfo } from '../core/training/backends';
import { registerWebGpuTrainingKernels } from './webgpu-kernels';

const nodeRequire = createRequire(__filename);

/** software: a CPU implementation (lavapipe, SwiftShader, WARP), correct but slower than wasm. */
export type AdapterDetails = AdapterInfo;

export type GpuFailureKind = 'out-of-memory' | 'validation' | 'device-lost';

/** The GPU failed in a way that ends the run (see `checkWebGpu`). */
export class GpuFailure extends Error {
  constructor(
    readonly kind: GpuFailureKind,
    readonly detail: string,
  ) {
    super(
      kind === 'out-of-memory'
        ? `the GPU ran out of memory (${detail})`
        : kind === 'device-lost'
          ? `the GPU device was lost (${detail})`
          : `the GPU rejected a command (${detail})`,
    );
    this.name = 'GpuFailure';
  }
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

interface WebGpuState {
  gpu: GPU;
  adapter: GPUAdapter | null;
  details: AdapterDetails | null;
  device: GPUDevice | null;
  failure: GpuFailure | null;
}

let state: WebGpuState | null = null;
let loading: Promise<WebGpuState> | null = null;

function firstLine(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0]!;
  return String(e).split('\n')[0]!;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|microsoft basic render|\bwarp\b|software/i;

function describeAdapter(adapter: GPUAdapter): AdapterDetails {
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  const fallback =
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  const software = fallback || architecture === 'software' || SOFTWARE.test(`${device} ${description}`);
  return { vendor, architecture, device, description, software };
}

/** "mesa llvmpipe (LLVM 15.0.7, 256 bits), software adapter" */
export function adapterLine(d: AdapterDetails): string {
  const name = d.description || d.device || d.architecture || 'unknown adapter';
  const vendor = d.vendor && !name.toLowerCase().includes(d.vendor.toLowerCase()) ? `${d.vendor} ` : '';
  return `${vendor}${name}, ${d.software ? 'software' : 'hardware'} adapter`;
}

/**
 * `navigator.gpu` for tfjs: Node 20 has no `navigator`; Node 21+ (Electron) has one without `gpu`.
 */
function installNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator && typeof g.navigator === 'object') {
    if ((g.navigator as { gpu?: unknown }).gpu === gpu) return;
    try {
      Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
      if ((g.navigator as { gpu?: unknown }).gpu === gpu) return;
    } catch {
      // fall through: replace the navigator object
    }
  }
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(g.navigator ?? {}), gpu },
    configurable: true,
    writable: true,
  });
}

async function load(): Promise<WebGpuState> {
  if (state) return state;
  loading ??= (async () => {
    // An ES module: import() (kept as such in the CommonJS bundles, where `webgpu` is external).
    const dawn = (await import('webgpu')) as unknown as DawnModule;
    // GPUBufferUsage, GPUMapMode, GPUShaderStage... that tfjs reads as globals.
    for (const [k, v] of Object.entries(dawn.globals)) {
      if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    }
    const gpu = dawn.create([]);
    installNavigatorGpu(gpu);
    state = { gpu, adapter: null, details: null, device: null, failure: null };
    return state;
  })();
  try {
    return await loading;
  } finally {
    loading = null;
  }
}

/**
 * Looks for a WebGPU adapter. Resolves with its details, or rejects with the reason there is none
 * (the `webgpu` package cannot load here, or no GPU and no Vulkan/Metal/D3D12 driver).
 */
export async function probeWebGpu(): Promise<AdapterDetails> {
  let s: WebGpuState;
  try {
    s = await load();
  } catch (e) {
    throw new Error(`the webgpu package (Dawn) could not load: ${firstLine(e)}`, { cause: e });
  }
  if (s.details && s.device && !s.failure) return s.details;
  const adapter = await s.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(
      process.platform === 'linux'
        ? "no WebGPU adapter: no Vulkan driver found (install your GPU vendor's driver, or mesa-vulkan-drivers for a software one)"
        : 'no WebGPU adapter found',
    );
  }
  s.adapter = adapter;
  s.details = describeAdapter(adapter);
  return s.details;
}

export interface WebGpuOptions {
  /** Lower device limits (tests: a small `maxBufferSize` makes a large batch fail like a small GPU). */
  limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
}

let requestedLimits: WebGpuOptions['limits'] = undefined;

function record(s: WebGpuState, failure: GpuFailure): void {
  // The first failure is the cause; what follows it (invalid buffers, lost device) is its consequence.
  s.failure ??= failure;
}

async function createDevice(s: WebGpuState): Promise<GPUDevice> {
  const adapter = s.adapter!;
  const features: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) features.push('timestamp-query');
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    // As tfjs's own factory: the adapter's limits, so large layers fit.
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: Math.min(
        l.maxStorageBufferBindingSize,
        requestedLimits?.maxStorageBufferBindingSize ?? Infinity,
      ),
      maxBufferSize: Math.min(l.maxBufferSize, requestedLimits?.maxBufferSize ?? Infinity),
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  s.failure = null;
  device.addEventListener('uncapturederror', (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    const name = err?.constructor?.name ?? '';
    const msg = firstLine(err?.message ?? 'unknown error');
    if (name === 'GPUOutOfMemoryError' || /out of memory|OOM/i.test(msg)) {
      record(s, new GpuFailure('out-of-memory', msg));
    } else if (/exceeds the max|maxBufferSize|maxStorageBufferBindingSize|too large/i.test(msg)) {
      // A buffer larger than the device allows: for training, the same remedy as running out of memory.
      record(s, new GpuFailure('out-of-memory', msg));
    } else {
      record(s, new GpuFailure('validation', msg));
    }
  });
  void device.lost.then((info) => {
    const why = firstLine(info.message);
    record(
      s,
      new GpuFailure(
        'device-lost',
        info.reason === 'destroyed' ? 'the device was destroyed' : why || 'no reason given',
      ),
    );
  });
  s.device = device;
  return device;
}

/**
 * Registers tfjs's WebGPU backend on the probed adapter (call `probeWebGpu` first) and selects it.
 * A lost device is replaced by a new one on the next call.
 */
export async function initWebGpu(options: WebGpuOptions = {}): Promise<AdapterDetails> {
  const details = await probeWebGpu();
  const s = state!;
  const limitsChanged = JSON.stringify(options.limits) !== JSON.stringify(requestedLimits);
  requestedLimits = options.limits;
  const stale = s.failure !== null || limitsChanged;
  if (stale && tf.findBackend('webgpu')) {
    if (tf.getBackend() === 'webgpu') await tf.setBackend('cpu');
    tf.removeBackend('webgpu');
  }
  if (!tf.findBackend('webgpu') || !tf.findBackendFactory('webgpu') || stale) {
    // Loading the package registers its own factory when navigator.gpu exists; ours replaces it.
    const { WebGPUBackend, webgpu_util } = nodeRequire('@tensorflow/tfjs-backend-webgpu') as {
      WebGPUBackend: new (device: GPUDevice, info?: GPUAdapterInfo) => tf.KernelBackend;
      webgpu_util: Parameters<typeof registerWebGpuTrainingKernels>[0];
    };
    registerWebGpuTrainingKernels(webgpu_util);
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend(
      'webgpu',
      async () => {
        const device = await createDevice(s);
        return new WebGPUBackend(device, (s.adapter as { info?: GPUAdapterInfo }).info);
      },
      3,
    );
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
  return details;
}

/** Throws the first GPU failure recorded on the device in use (none: returns). */
export function checkWebGpu(): void {
  if (state?.failure) throw state.failure;
}

/**
 * Waits until the GPU has finished everything submitted so far, then `checkWebGpu()`: errors of earlier
 * commands are reported by then. A no-op on other backends.
 */
export async function settleWebGpu(): Promise<void> {
  if (tf.getBackend() !== 'webgpu' || !state?.device) return;
  const backend = tf.backend() as unknown as {
    commandEncoder: unknown;
    endComputePassEncoder(): void;
    submitQueue(): void;
  };
  // Commands tfjs has recorded but not submitted yet.
  if (backend.commandEncoder != null) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
  try {
    await state.device.queue.onSubmittedWorkDone();
  } catch {
    // A lost device rejects; the failure it recorded is thrown below.
  }
  // Error events are delivered on the event loop after the work is done.
  await new Promise((resolve) => setImmediate(resolve));
  checkWebGpu();
}

/** The device in use (tests inject failures with `device.destroy()`). */
export function webGpuDevice(): GPUDevice | null {
  return state?.device ?? null;
}

/** Buffers the tfjs backend holds (in use, and free in its pool): tests check they do not grow. */
export function webGpuBufferCounts(): { used: number; free: number } | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const bm = (
    tf.backend() as unknown as {
      bufferManager: { getNumUsedBuffers(): number; getNumFreeBuffers(): number };
    }
  ).bufferManager;
  return { used: bm.getNumUsedBuffers(), free: bm.getNumFreeBuffers() };
}

/** True when `e` (or its cause) is a GPU failure, including tfjs/Dawn errors that a lost device causes. */
export function asGpuFailure(e: unknown): GpuFailure | null {
  if (state?.failure) return state.failure;
  if (e instanceof GpuFailure) return e;
  const msg = firstLine(e);
  if (tf.getBackend() === 'webgpu' && /device (is |was )?lost|mapAsync|destroyed|out of memory/i.test(msg)) {
    return new GpuFailure(/out of memory/i.test(msg) ? 'out-of-memory' : 'device-lost', msg);
  }
  return null;
}
