// tfjs-core's own specs (shipped in the npm package as dist/ops/*_test.js, with hand-computed expected
// values) for every op whose wasm kernel the project replaces or adds, run on the wasm backend with the
// project's kernels registered: conv2d, conv2dTranspose and fused conv2d (forward and gradient cases: every
// gradient goes through our Conv2DBackpropFilter / Conv2DBackpropInput, conv2dTranspose's forward pass
// through the latter), maxPool (its gradient: MaxPoolGrad), concat, split (SplitV), sum, mean, clone
// (Identity) and relu (its gradient: MaskwrightReluGrad).
// The specs are jasmine; `describeWithFlags` (tfjs's per-backend wrapper, which needs jasmine-core) is
// replaced by a vitest describe on the wasm backend; `it`, `expect` and the hooks are vitest's.
import * as tf from '@tensorflow/tfjs';
import * as vt from 'vitest';
import { initBackend } from '../../trainer/backend';

vt.vi.mock('@tensorflow/tfjs-core/dist/jasmine_util.js', () => ({
  ALL_ENVS: {},
  describeWithFlags: (name: string, _constraints: unknown, tests: (env: object) => void) =>
    vt.describe(`${name} (tfjs-core spec, wasm)`, () => {
      vt.beforeAll(async () => {
        const report = await initBackend({ backend: 'wasm', threads: 1 });
        vt.expect(report.name).toBe('wasm');
      });
      vt.beforeEach(() => tf.engine().startScope());
      vt.afterEach(() => tf.engine().endScope());
      tests({ name: 'wasm', backendName: 'wasm', isDataSync: true });
    }),
}));

/** Cases that test what the stock wasm backend does not support (none is one of the project's kernels). */
const NOT_ON_WASM: [RegExp, string][] = [
  [/NCHW/, 'the stock wasm Conv2D (and the project kernels) support NHWC only'],
  [/complex/i, 'the stock wasm backend has no Complex kernel'],
  [
    /^(basic|im2row) with broadcasted bias and relu$|^gradient x=\[2,3,3,1\] f=\[2,2,1,1\] s=1 p=0 with bias$/,
    'the stock wasm FusedConv2D accepts only a rank-1 bias',
  ],
];

// jasmine's `expect(...).nothing()` (a spec that asserts only that nothing threw).
vt.expect.extend({ nothing: () => ({ pass: true, message: () => '' }) });
const it = (name: string, fn: () => unknown) =>
  (NOT_ON_WASM.some(([re]) => re.test(name)) ? vt.it.skip : vt.it)(name, fn);
Object.assign(globalThis, {
  it,
  expect: vt.expect,
  describe: vt.describe,
  beforeAll: vt.beforeAll,
  afterAll: vt.afterAll,
  beforeEach: vt.beforeEach,
  afterEach: vt.afterEach,
  jasmine: {}, // concat3d sets jasmine.DEFAULT_TIMEOUT_INTERVAL
});

await import('@tensorflow/tfjs-core/dist/ops/conv2d_test.js');
await import('@tensorflow/tfjs-core/dist/ops/conv2d_transpose_test.js');
await import('@tensorflow/tfjs-core/dist/ops/fused/fused_conv2d_test.js');
await import('@tensorflow/tfjs-core/dist/ops/max_pool_test.js');
await import('@tensorflow/tfjs-core/dist/ops/concat_test.js');
await import('@tensorflow/tfjs-core/dist/ops/split_test.js');
await import('@tensorflow/tfjs-core/dist/ops/sum_test.js');
await import('@tensorflow/tfjs-core/dist/ops/mean_test.js');
await import('@tensorflow/tfjs-core/dist/ops/clone_test.js');
await import('@tensorflow/tfjs-core/dist/ops/relu_test.js');

vt.describe('the tfjs-core specs ran', () => {
  vt.it('registered the project kernels on wasm (not the stock ones)', () => {
    vt.expect(tf.getBackend()).toBe('wasm');
    // The stock 4.22 wasm backend has no Conv2DBackpropFilter; ours is registered.
    vt.expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});
