/**
 * The tool registry is the one list of tools: each key picks exactly one tool, and the toolbar, the
 * key handler and the help dialog all show exactly the registry.
 */
import { render } from 'svelte/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import HelpDialog from '../../../renderer/src/editor/HelpDialog.svelte';
import { CLASS_KEYS, editorKeydown, SHORTCUT_BY_KEY, SHORTCUTS } from '../../../renderer/src/editor/keys';
import Toolbar from '../../../renderer/src/editor/Toolbar.svelte';
import { TOOLS, toolForKey } from '../../../renderer/src/editor/tools/registry';
import { headlessEditor } from './fakes';

const ALL_TOOLS = ['brush', 'eraser', 'fill', 'wand', 'superpixel', 'polygon', 'picker'];

/** The text of each match of `re`'s first group, tags stripped and entities decoded as the page shows it. */
function texts(html: string, re: RegExp): string[] {
  return [...html.matchAll(re)].map((m) =>
    m[1]!
      .replace(/<!--[^]*?-->/g, '')
      .replace(/<[^>]+>/g, '')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .trim(),
  );
}

beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
afterEach(() => vi.unstubAllGlobals());

describe('tool registry', () => {
  it('lists every tool once, each with its own key', () => {
    expect(TOOLS.map((t) => t.name).sort()).toEqual([...ALL_TOOLS].sort());
    const keys = TOOLS.map((t) => t.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of TOOLS) {
      expect(t.key).toMatch(/^[A-Z]$/);
      expect(toolForKey(t.key)).toBe(t.name);
      expect(toolForKey(t.key.toLowerCase())).toBe(t.name);
    }
  });

  it('the key handler picks each tool by its key, and the tool controller has an instance of each', () => {
    const { editor } = headlessEditor();
    for (const t of [...TOOLS].reverse()) {
      const used = editorKeydown(editor, { key: t.key.toLowerCase(), target: null, repeat: false } as KeyboardEvent);
      expect(used).toBe(true);
      expect(editor.tools.name).toBe(t.name);
      expect(editor.tools.current.name).toBe(t.name);
      expect(editor.tools.sized).toBe(t.sized);
    }
  });

  it('each key runs one shortcut, and the help prints the keys the handler runs', () => {
    const items = SHORTCUTS.flatMap((g) => g.items);
    const onKeys = items.flatMap((i) => i.on ?? []);
    expect(new Set(onKeys).size).toBe(onKeys.length);
    expect(SHORTCUT_BY_KEY.size).toBe(onKeys.length);
    for (const t of TOOLS) expect(SHORTCUT_BY_KEY.get(t.key.toLowerCase())?.action).toBe(t.help);
    // A printed letter or symbol is one the handler runs, and the other way round.
    const printed = (k: string) => ({ PgDn: 'PageDown', PgUp: 'PageUp', '→': 'ArrowRight', '←': 'ArrowLeft' })[k] ?? k;
    const spelled = (k: string) => (k === '1 … 9' ? ['1', '2', '3', '4', '5', '6', '7', '8', '9'] : [k]);
    for (const item of items.filter((i) => i.on)) {
      expect(item.keys.flatMap(spelled).map((k) => (/^[A-Z]$/.test(k) ? k.toLowerCase() : printed(k)))).toEqual(
        item.on,
      );
    }
  });

  it('every key the table handles is used by the editor', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    for (const key of SHORTCUT_BY_KEY.keys()) {
      if (key === 'r') continue; // marks the image reviewed through the app bridge
      // A number with no class (the headless project has two) is not used: it does what it would elsewhere.
      if (CLASS_KEYS.indexOf(key) >= editor.project.classes.list.length) continue;
      expect(editorKeydown(editor, { key, target: null, repeat: false } as KeyboardEvent), key).toBe(true);
    }
    // Unknown keys are not.
    expect(editorKeydown(editor, { key: 'q', target: null, repeat: false } as KeyboardEvent)).toBe(false);
  });

  it('the help dialog lists exactly the registry tools, in its order, under Tools', () => {
    const { body } = render(HelpDialog, { props: { onclose: () => {} } });
    const sections = body.split('<section').slice(1);
    const tools = sections.find((s) => texts(s, /<h3[^>]*>([^]*?)<\/h3>/g)[0] === 'Tools')!;
    const dts = texts(tools, /<dt[^>]*>([^]*?)<\/dt>/g);
    const dds = texts(tools, /<dd[^>]*>([^]*?)<\/dd>/g);
    const rows = dts.map((k, i) => [k, dds[i]]);
    expect(rows.slice(0, TOOLS.length)).toEqual(TOOLS.map((t) => [t.key, t.help]));
    // Beyond the tools, no row of the dialog names a tool key alone.
    const toolKeys = new Set(TOOLS.map((t) => t.key));
    const allKeys = texts(body, /<kbd[^>]*>([^]*?)<\/kbd>/g);
    for (const k of toolKeys) expect(allKeys.filter((x) => x === k)).toHaveLength(1);
  });

  it('the toolbar shows exactly the registry tools, with their keys, and marks the current one', () => {
    const { editor } = headlessEditor();
    editor.tools.set('wand');
    const { body } = render(Toolbar, { props: { editor } });
    const group = body.slice(body.indexOf('role="radiogroup"'), body.indexOf('</div>'));
    const labels = [...group.matchAll(/aria-label="([^"]+)"/g)].map((m) => m[1]).slice(1);
    expect(labels).toEqual(TOOLS.map((t) => t.label));
    expect(texts(group, /<kbd[^>]*>([^]*?)<\/kbd>/g)).toEqual(TOOLS.map((t) => t.key));
    const checked = [...group.matchAll(/aria-checked="(true|false)"/g)].map((m) => m[1]);
    expect(checked).toEqual(TOOLS.map((t) => String(t.name === 'wand')));
  });
});
