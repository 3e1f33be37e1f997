// The committed SIMD kernels binary (trainer/simd/kernels.wasm.ts) is what trainer/simd/kernels.wat
// compiles to: scripts/build-simd.mjs --check recompiles it with wabt and compares.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('SIMD kernels build', () => {
  it('kernels.wasm.ts is up to date with kernels.wat', () => {
    const r = spawnSync(process.execPath, [join('scripts', 'build-simd.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
