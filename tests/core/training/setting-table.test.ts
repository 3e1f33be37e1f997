/**
 * A setting declared once: a fake one added to the table (and nowhere else) shows in the Train form, the
 * CLI's flags and help, the stored run, the run history and the resume check.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trainCmd } from '../../../cli/train';
import { architectureOf, runSettingsLine } from '../../../core/training/run-settings';
import { FlagError, settingsFromFlags } from '../../../core/training/setting-flags';
import { BACKEND_DEFAULTS, resolveTrainSettings, trainSettingsSchema } from '../../../core/training/settings';
import { createRun, getRun } from '../../../db/runs';
import { defaultForm, FORM_FIELDS, formSettings } from '../../../renderer/src/training/form';
import { tempProject } from '../../helpers/project';
import type * as SettingTable from '../../../core/training/setting-table';

// The one place the fake settings are added: the table's own module, as a new entry would be.
vi.mock('../../../core/training/setting-table', async (importOriginal) => {
  const table = await importOriginal<typeof SettingTable>();
  const { z } = await import('zod');
  return {
    ...table,
    SETTINGS: {
      ...table.SETTINGS,
      tileOverlap: {
        schema: z.number().int().min(0).max(64).default(8),
        flag: { name: 'tile-overlap', arg: 'N', help: ['pixels the training tiles overlap (default 8)'] },
        form: { label: 'Tile overlap', hint: 'pixels' },
        history: (v: number | undefined) => (v !== undefined ? `overlap ${v}` : null),
        architecture: {},
      },
      accumulate: {
        schema: z.number().int().min(1).max(16).optional(),
        byBackend: { cpu: 2, gpu: 1 },
        flag: { name: 'accumulate', arg: 'N', help: ['batches per weight update'] },
      },
    },
  };
});

describe('a setting declared once in the table', () => {
  it('is a field of the Train form, with its default, and reaches the settings the form sends', () => {
    expect(FORM_FIELDS).toContainEqual({ key: 'tileOverlap', label: 'Tile overlap', hint: 'pixels' });
    const form = defaultForm() as ReturnType<typeof defaultForm> & { tileOverlap: string };
    expect(form.tileOverlap).toBe('8');
    const sent = formSettings({ ...form, tileOverlap: '16' } as ReturnType<typeof defaultForm>);
    expect(trainSettingsSchema.parse(sent)).toMatchObject({ tileOverlap: 16, epochs: 30 });
    // Out of its range: the schema refuses it, under the field's name (the form shows it inline).
    const bad = trainSettingsSchema.safeParse(formSettings({ ...form, tileOverlap: '65' } as typeof form));
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path.join('.'))).toEqual(['tileOverlap']);
  });

  it('is a flag of maskwright train, in its help, parsed with its range', () => {
    expect(trainCmd.help).toContain('\n--tile-overlap N  pixels the training tiles overlap (default 8)\n');
    expect(trainCmd.options['tile-overlap']).toEqual({ type: 'string' });
    expect(trainCmd.help).toContain(
      '\n--accumulate N    batches per weight update (default 2 on the CPU, 1 on a GPU)\n',
    );
    expect(settingsFromFlags({ 'tile-overlap': '12' })).toMatchObject({ tileOverlap: 12, epochs: 30, minutes: 10 });
    expect(() => settingsFromFlags({ 'tile-overlap': '65' })).toThrow(
      new FlagError('--tile-overlap must be an integer from 0 to 64'),
    );
  });

  it('takes its per-backend default when unset', () => {
    const oneClick = trainSettingsSchema.parse({ epochs: 1 });
    expect((BACKEND_DEFAULTS.cpu as unknown as Record<string, number>).accumulate).toBe(2);
    expect(resolveTrainSettings(oneClick, 'gpu')).toMatchObject({ accumulate: 1, tileOverlap: 8 });
    expect(resolveTrainSettings({ ...oneClick, accumulate: 4 } as typeof oneClick, 'cpu')).toMatchObject({
      accumulate: 4,
    });
  });

  describe('in the project file', () => {
    let t: ReturnType<typeof tempProject>;
    beforeEach(() => (t = tempProject()));
    afterEach(() => t.close());

    it('is stored with the run, typed when read, in the run history and the resume check', () => {
      const db = t.project.db;
      const id = createRun(db, trainSettingsSchema.parse({ epochs: 3, tileOverlap: 16 }));
      const stored = getRun(db, id).settings as Record<string, unknown>;
      expect(stored.tileOverlap).toBe(16);
      expect(runSettingsLine(getRun(db, id).settings)).toMatch(/^3 epochs · .* · overlap 16$/);
      expect(architectureOf(getRun(db, id).settings)).toContainEqual({ words: '--tile-overlap', value: 16 });
      // A stored value its schema refuses is left out, the rest kept.
      const old = createRun(db, { epochs: 3, tileOverlap: 999 });
      expect(getRun(db, old).settings).toEqual({ epochs: 3 });
    });
  });
});
