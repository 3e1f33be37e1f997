import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveAppPath, serveAppFile } from '../../main/protocol';
import { CONTENT_SECURITY_POLICY, isAppUrl } from '../../main/security';
import { tempDir } from '../helpers/fixtures';

describe('app:// protocol', () => {
  const t = tempDir();
  const root = join(t.dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'app.js'), 'export {}');
  writeFileSync(join(t.dir, 'secret.txt'), 'secret');
  afterAll(() => t.cleanup());

  it('serves files under the renderer folder with the CSP and content type', async () => {
    const res = await serveAppFile(root, 'app://maskwright/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await (await serveAppFile(root, 'app://maskwright/')).text()).toBe('<!doctype html>');
    expect((await serveAppFile(root, 'app://maskwright/missing.js')).status).toBe(404);
  });

  it('never serves anything outside it', async () => {
    // The URL parser already folds a literal (or %2e-encoded) ".." segment back into the root.
    expect(resolveAppPath(root, 'app://maskwright/%2e%2e/secret.txt')).toBe(join(root, 'secret.txt'));
    // An encoded slash survives parsing and must be caught after decoding.
    expect(resolveAppPath(root, 'app://maskwright/..%2fsecret.txt')).toBeNull();
    expect((await serveAppFile(root, 'app://maskwright/%2e%2e%2fsecret.txt')).status).toBe(403);
  });

  it('answers a malformed URL with 400, not an exception', async () => {
    for (const u of ['app://maskwright/%', 'app://maskwright/%E0%A4%A', 'app://maskwright/a%00b.js', 'not a url']) {
      const res = await serveAppFile(root, u);
      expect(res.status).toBe(400);
    }
  });

  it('treats only app://maskwright/ as the app', () => {
    expect(isAppUrl('app://maskwright/index.html')).toBe(true);
    for (const u of ['https://maskwright/', 'app://maskwright.evil/', 'file:///etc/passwd', undefined])
      expect(isAppUrl(u)).toBe(false);
  });

  it('has a CSP without inline or eval scripts', () => {
    const script = CONTENT_SECURITY_POLICY.split('; ').find((d) => d.startsWith('script-src'))!;
    expect(script).toBe("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });
});
