/** Serves the built renderer from `dist/renderer` over `app://maskwright/`, never outside that folder. */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './security';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** Maps a request URL to a file under `root`, or null when it would escape it. */
export function resolveAppPath(root: string, url: string): string | null | 'malformed' {
  let rel: string;
  try {
    const { pathname } = new URL(url);
    rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return 'malformed'; // e.g. a lone "%" or "%E0%A4%A" in the path
  }
  if (rel.includes('\0')) return 'malformed';
  const full = normalize(join(root, rel));
  return full === root || full.startsWith(root + sep) ? full : null;
}

export async function serveAppFile(root: string, url: string): Promise<Response> {
  const file = resolveAppPath(root, url);
  if (file === 'malformed') return new Response('Bad request', { status: 400 });
  if (!file) return new Response('Forbidden', { status: 403 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}
