/** What `maskwright backends` and the Train view show: every backend, available or not, and why. */
import type { BACKEND_CHOICES } from './settings';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of the GPU API (lavapipe, SwiftShader, WARP). */
  software: boolean;
}

export interface BackendStatus {
  /** In auto's order: tensorflow-gpu, webgpu, tensorflow, wasm, cpu. */
  name: 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** The `backend` setting that forces it. */
  choice: Exclude<(typeof BACKEND_CHOICES)[number], 'auto'>;
  /** Package and build, e.g. "@tensorflow/tfjs-backend-wasm, threaded SIMD". */
  detail: string;
  available: boolean;
  /** Why it is unavailable, or why auto passes over an available one; null otherwise. */
  reason: string | null;
  /** The one `auto` picks. */
  auto: boolean;
  adapter?: AdapterInfo;
}

/** "webgpu on NVIDIA GeForce RTX 4070 (hardware adapter)", "wasm" */
export function backendLine(b: BackendStatus): string {
  if (!b.adapter) return b.name;
  const a = b.adapter;
  const name = a.description || a.device || a.architecture || 'unknown adapter';
  return `${b.name} on ${name} (${a.software ? 'software' : 'hardware'} adapter)`;
}

/** The adapter's short name: "llvmpipe" of "llvmpipe: Mesa 25.0.7 (LLVM 15)", "NVIDIA GeForce RTX 4070". */
export function adapterName(a: AdapterInfo): string {
  const full = a.description || a.device || a.architecture || 'unknown adapter';
  return full.split(/[:(]/)[0]!.trim() || full;
}
