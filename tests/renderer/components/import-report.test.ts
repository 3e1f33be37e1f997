/** The import report (issue 25): created classes by their names now, not the names they were created with. */
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ClassInfo } from '../../../core/ipc/contract';
import ImportReport from '../../../renderer/src/components/ImportReport.svelte';

const cls = (id: number, value: number, name: string): ClassInfo => ({
  id,
  value,
  name,
  color: '#808080',
  position: id,
  weightOverride: null,
});

describe('import report', () => {
  it('names the classes a mask import created as they are called now', () => {
    const { body } = render(ImportReport, {
      props: {
        report: {
          kind: 'masks',
          applied: ['a.png'],
          createdClasses: [
            { id: 4, name: 'Class 0' },
            { id: 5, name: 'Class 1' },
          ],
          unmatched: [],
          errors: [],
        },
        ondismiss: () => {},
        classes: [cls(4, 0, 'Sky'), cls(5, 1, 'Building')],
      },
    });
    expect(body).toContain('Sky, Building');
    expect(body).not.toContain('Class 0');
  });
});
