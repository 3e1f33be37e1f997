/**
 * A Python interpreter that imports `modules` (Debian's python3-onnx, python3-torch), or null: the
 * `python3` on PATH first (CI's is Debian's), then Debian's own, in case PATH leads to another install.
 * MASKWRIGHT_PYTHON names the interpreter; with MASKWRIGHT_REQUIRE_PYTHON set (CI), none is an error, not a
 * skipped test.
 */
import { spawnSync } from 'node:child_process';

export function pythonWith(...modules: string[]): string | null {
  for (const python of [process.env['MASKWRIGHT_PYTHON'], 'python3', '/usr/bin/python3']) {
    if (!python) continue;
    const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    if (r.status === 0) return python;
  }
  if (process.env['MASKWRIGHT_REQUIRE_PYTHON'])
    throw new Error(`MASKWRIGHT_REQUIRE_PYTHON is set but no python3 imports ${modules.join(', ')}`);
  return null;
}
