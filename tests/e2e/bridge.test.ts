/** The harness's stand-in for the preload: envelopes, validation errors and bytes both ways through window.api. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/security';
import { useHarness } from './harness';
import { makeFixtures } from './fixtures';
import { header } from './ui';

const harness = useHarness();

/** In-page access to `window.api`, typed loosely (this file is type-checked without the DOM lib). */
type PageApi = {
  api: { invoke(channel: string, input: unknown): Promise<any>; on(event: string, l: (p: any) => void): () => void };
  __events: unknown[];
};

describe('window.api bridge', () => {
  it('carries Uint8Array arguments and results, and answers malformed input with INVALID_INPUT', async () => {
    const h = harness();
    const fx = await makeFixtures(h.tmp);
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'bridge.maskwright'), 'project.create') });
    await h.open();

    const result = await h.page.evaluate(async (bytes) => {
      const { api } = globalThis as unknown as PageApi;
      const imported = await api.invoke('images.importFiles', {
        files: [{ name: 'meadow.png', data: new Uint8Array(bytes) }],
      });
      const id = imported.value.imported[0].id as number;
      const original = await api.invoke('images.original', { id });
      const bad = await api.invoke('images.setSplit', { ids: [id], split: 'test' });
      const unknown = await api.invoke('no.such.channel', {});
      return {
        imported: imported.ok,
        originalIsBytes: original.ok && original.value.data instanceof Uint8Array,
        originalLength: original.ok ? (original.value.data as Uint8Array).length : -1,
        bad: bad.ok ? null : bad.error.code,
        unknown: unknown.ok ? null : unknown.error.code,
      };
    }, Array.from(fx.png.bytes));

    expect(result).toEqual({
      imported: true,
      originalIsBytes: true,
      originalLength: fx.png.bytes.length,
      bad: 'INVALID_INPUT',
      unknown: 'UNKNOWN_CHANNEL',
    });
    const stored = await h.call('images.list');
    expect(stored.map((i) => [i.name, i.byteSize])).toEqual([['meadow.png', fx.png.bytes.length]]);
  });
});

describe('content security policy', () => {
  it('the page meta CSP matches the header main sends, except frame-ancestors (ignored in a meta tag)', async () => {
    const h = harness();
    await h.open();
    const meta = await h.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    const directives = (csp: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .filter((d) => d && !d.startsWith('frame-ancestors'));
    expect(directives(meta ?? '')).toEqual(directives(CONTENT_SECURITY_POLICY));
    const header = await h.page.evaluate(async () => {
      const r = await (
        globalThis as unknown as { fetch(u: string): Promise<{ headers: { get(n: string): string | null } }> }
      ).fetch('./index.html');
      return r.headers.get('content-security-policy');
    });
    expect(header).toBe(CONTENT_SECURITY_POLICY);
  });

  it('delivers progress events from main, in order, until unsubscribed', async () => {
    const h = harness();
    const fx = await makeFixtures(h.tmp);
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'events.maskwright'), 'project.create') });
    await h.open();
    await h.page.evaluate(() => {
      const g = globalThis as unknown as PageApi;
      g.__events = [];
      const stop = g.api.on('import.progress', (p) => {
        g.__events.push(p);
        if (p.done === 2) stop();
      });
    });
    h.dialogs.imagePaths = [fx.png.path, fx.jpeg.path, fx.corrupt.path];
    await header(h.page).getByRole('button', { name: 'Import images…' }).click();
    await h.page.getByText('broken.jpg').waitFor();
    const events = await h.page.evaluate(() => (globalThis as unknown as PageApi).__events);
    // The search's count, two files, then the listener removed itself: the third (the broken file) is not
    // delivered.
    expect(events).toEqual([
      { done: 0, total: 0, found: 3, name: '' },
      { done: 1, total: 3, name: 'meadow.png' },
      { done: 2, total: 3, name: 'harbor.jpg' },
    ]);
  });
});
