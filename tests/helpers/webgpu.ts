/**
 * The WebGPU tests need an adapter: on a machine without a GPU, a Vulkan driver such as Mesa's lavapipe
 * (Debian: `mesa-vulkan-drivers` from bookworm-backports, Mesa 25; Dawn refuses 22.3) and
 * XDG_RUNTIME_DIR set. In CI (`CI` or `MASKWRIGHT_REQUIRE_WEBGPU` set) a missing adapter fails the tests,
 * naming the missing driver; elsewhere they are skipped with a visible message.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { probeWebGpu, type AdapterDetails } from '../../trainer/webgpu';

let probed: Promise<AdapterDetails | string> | null = null;

export const webGpuRequired = Boolean(process.env.MASKWRIGHT_REQUIRE_WEBGPU || process.env.CI);

/** The adapter, or null (skip) when none and not required; throws when required and missing. */
export async function webGpuAdapter(): Promise<AdapterDetails | null> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  probed ??= probeWebGpu().catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
  const r = await probed;
  if (typeof r !== 'string') return r;
  const why =
    `${r}. On Linux without a GPU install Mesa's Vulkan driver ` +
    '(Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers) and set XDG_RUNTIME_DIR';
  if (webGpuRequired) throw new Error(`WebGPU tests cannot run: ${why}`);
  console.warn(`SKIPPED webgpu tests: ${why}`);
  return null;
}

/** A suite's hooks: probe the adapter first (fail or skip, see above), go back to cpu after. */
export function webGpuSuite(): { skipped: () => boolean } {
  let skip = false;
  beforeAll(async () => {
    tf.env().set('PROD', true);
    skip = !(await webGpuAdapter());
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  return { skipped: () => skip };
}
