// The Train form's validation messages: the API's issues for `train.start` by field, and "Enter a number."
// for a field the form sent as NaN, found by the issue's path and not by the validator's wording.
import { describe, expect, it } from 'vitest';
import { contract } from '../../../core/ipc/contract';
import { defaultForm, describeForm, fieldErrors, formSettings, type Issue } from '../../../renderer/src/training/form';

/**
 * The issues `train.start` answers for these settings: the contract's own validation, each issue as
 * main/ipc/registry.ts passes it on (path and message).
 */
function issuesFor(settings: unknown): Issue[] {
  const parsed = contract['train.start'].input.safeParse({ settings });
  if (parsed.success) throw new Error('expected a validation failure');
  return parsed.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
}

describe('fieldErrors', () => {
  // Text that is not a number (and 1e999, which is not finite) becomes NaN; depth 0 is a number out of range.
  const settings = formSettings({ ...defaultForm(), batchSize: 'four', learningRate: '1e999', depth: '0' });

  it('says "Enter a number." for the fields sent as NaN and keeps the validator’s message for the rest', () => {
    expect([settings.batchSize, settings.learningRate, settings.depth]).toEqual([NaN, NaN, 0]);
    const issues = issuesFor(settings);
    const depth = issues.find((i) => i.path.join('.') === 'settings.depth')!;
    expect(fieldErrors(issues, settings)).toEqual({
      batchSize: 'Enter a number.',
      learningRate: 'Enter a number.',
      depth: depth.message,
    });
    expect(depth.message).not.toBe('Enter a number.');
  });

  it('does not depend on the wording of the messages', () => {
    const reworded = issuesFor(settings).map((i) => ({ ...i, message: 'Ungültige Eingabe' }));
    expect(fieldErrors(reworded, settings)).toEqual({
      batchSize: 'Enter a number.',
      learningRate: 'Enter a number.',
      depth: 'Ungültige Eingabe',
    });
  });

  it('keeps the first issue of a field, and puts issues outside a field under general', () => {
    const sent = formSettings({ ...defaultForm(), epochs: '', minutes: '', sources: [] });
    const issues: Issue[] = [
      { path: ['settings', 'sources'], message: 'pick a source' },
      { path: ['settings', 'sources', 0], message: 'second' },
      { path: ['settings'], message: 'set epochs or minutes' },
      { path: [], message: 'malformed' },
    ];
    expect(fieldErrors(issues, sent)).toEqual({ sources: 'pick a source', general: 'set epochs or minutes' });
  });
});

describe('defaultForm', () => {
  it('starts from the settings a one-click run gets (the schema’s defaults)', () => {
    const form = formSettings(defaultForm());
    const oneClick = contract['train.start'].input.parse({ settings: { epochs: 1 } }).settings;
    const fields = ['learningRate', 'depth', 'schedule', 'weightDecay', 'sources', 'backend'] as const;
    const pick = (s: Record<string, unknown>) => Object.fromEntries(fields.map((k) => [k, s[k]]));
    expect(pick(form)).toEqual(pick(oneClick));
  });
});

describe('validation labels', () => {
  it('validate on labels a person made by default; the box sends every trained label and the summary says so', () => {
    expect(formSettings(defaultForm()).validateOn).toBe('person');
    expect(contract['train.start'].input.parse({ settings: formSettings(defaultForm()) }).settings.validateOn).toBe(
      'person',
    );
    const all = { ...defaultForm(), validateOn: 'trained' as const };
    expect(formSettings(all).validateOn).toBe('trained');
    expect(describeForm(all)).toContain('validated on every trained label');
    expect(describeForm(defaultForm())).not.toContain('validated');
  });
});
