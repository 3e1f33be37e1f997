/** `maskwright backends`: every TensorFlow.js backend, whether it can run here and why not, and the GPU adapter. */
import { backendLine } from '../core/training/backends';
import { listBackends } from '../trainer/backend';
import type { Command } from './command';
import { out, outJson, UsageError } from './output';

export const backendsCmd: Command = {
  name: 'backends',
  usage: 'backends [--json]',
  summary: 'the training backends, available or not and why, with the GPU adapter',
  help: [
    '',
    "auto's order: tensorflow-gpu (CUDA), webgpu on a hardware adapter, tensorflow (CPU), wasm, cpu.",
    'A software WebGPU adapter (lavapipe, SwiftShader) is slower than wasm: auto skips it, --backend webgpu uses it.',
    '',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(positionals, v) {
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const list = await listBackends();
    if (v.json) {
      outJson(list);
      return 0;
    }
    for (const b of list) {
      const mark = b.auto ? '*' : b.available ? '+' : '-';
      out(`${mark} ${b.name.padEnd(14)} ${b.available ? 'available' : 'unavailable'}  ${b.detail}`);
      if (b.adapter) {
        const a = b.adapter;
        out(`    adapter: ${backendLine(b).replace(/^webgpu on /, '')}`);
        out(`    vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, device ${a.device || '?'}`);
      }
      if (b.reason) out(`    ${b.available ? 'note' : 'why'}: ${b.reason}`);
    }
    const pick = list.find((b) => b.auto);
    out(pick ? `* auto uses ${backendLine(pick)}` : 'no backend can run here');
    return 0;
  },
};
