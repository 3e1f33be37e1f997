/** The mode machine on its own, with a scripted tool and preview job. */
import { describe, expect, it } from 'vitest';
import { ModeMachine } from '../../../renderer/src/editor/modes.svelte';
import type { PreviewJob } from '../../../renderer/src/editor/modes.svelte';
import type { Tool } from '../../../renderer/src/editor/tools/tool';

function setup() {
  const log: string[] = [];
  const tool: Tool & { busy: boolean } = {
    name: 'polygon',
    busy: false,
    down: () => {},
    move: () => {},
    up: () => {},
    key: (k: string) => (log.push(`tool.key ${k}`), tool.busy),
    finish: () => log.push('tool.finish'),
    cancel: () => {
      log.push('tool.cancel');
      tool.busy = false;
    },
  };
  const job = {
    phase: 'idle' as PreviewJob['phase'],
    accept: () => log.push('accept'),
    discard: () => log.push(job.phase === 'running' ? 'stop' : 'discard'),
  };
  const machine = new ModeMachine({
    tool: () => tool,
    job: () => (job.phase === 'idle' ? null : job),
    dropJob: (edited) => {
      log.push(edited ? 'dropJob edited' : 'dropJob');
      job.phase = 'idle';
    },
  });
  return { machine, tool, job, log };
}

describe('ModeMachine', () => {
  it('pans while Space is held and returns to the mode underneath', () => {
    const { machine, tool } = setup();
    expect(machine.mode).toBe('idle');
    machine.spaceDown();
    expect(machine.mode).toBe('panning');
    expect(machine.press(0)).toBe('pan');
    expect(machine.release()).toBe('pan');
    expect(machine.mode).toBe('panning');
    machine.spaceUp();
    expect(machine.mode).toBe('idle');

    tool.busy = true; // a polygon between clicks
    expect(machine.mode).toBe('drawing');
    machine.spaceDown();
    expect(machine.mode).toBe('panning');
    machine.spaceUp();
    expect(machine.mode).toBe('drawing');
  });

  it('a pan drag outlasts the Space key: it ends with the button, back to idle', () => {
    const { machine } = setup();
    machine.spaceDown();
    expect(machine.press(0)).toBe('pan');
    machine.spaceUp();
    expect(machine.mode).toBe('panning');
    expect(machine.release()).toBe('pan');
    expect(machine.mode).toBe('idle');
    expect(machine.press(0)).toBe('draw');
  });

  it('pans with the middle button whatever the mode, and draws with the left one', () => {
    const { machine } = setup();
    expect(machine.press(1)).toBe('pan');
    expect(machine.mode).toBe('panning');
    expect(machine.press(0)).toBeNull(); // one press at a time
    machine.release();
    expect(machine.mode).toBe('idle');
    expect(machine.press(2)).toBeNull(); // the right button does nothing
    expect(machine.press(0)).toBe('draw');
    expect(machine.release()).toBe('draw');
    expect(machine.release()).toBeNull();
  });

  it('keeps a stroke that started before Space was pressed, then pans', () => {
    const { machine, tool } = setup();
    expect(machine.press(0)).toBe('draw');
    tool.busy = true;
    machine.spaceDown();
    expect(machine.mode).toBe('drawing');
    machine.release();
    tool.busy = false;
    expect(machine.mode).toBe('panning');
  });

  it('gives Enter and Escape to the preview: accept, discard; Escape cancels a run', () => {
    const { machine, job, log } = setup();
    job.phase = 'running';
    expect(machine.mode).toBe('running');
    expect(machine.key('Enter')).toBe(false);
    expect(machine.key('Escape')).toBe(true);
    expect(log).toEqual(['tool.key Enter', 'stop']);

    log.length = 0;
    job.phase = 'preview';
    expect(machine.mode).toBe('previewing');
    expect(machine.key('Enter')).toBe(true);
    expect(machine.key('Escape')).toBe(true);
    expect(log).toEqual(['accept', 'discard']);

    // Panning over a preview: the keys still belong to the preview.
    log.length = 0;
    machine.spaceDown();
    expect(machine.mode).toBe('panning');
    expect(machine.key('Enter')).toBe(true);
    expect(log).toEqual(['accept']);
    machine.spaceUp();
    expect(machine.mode).toBe('previewing');

    // A failure shown is dismissed by Escape; Enter has nothing to accept.
    log.length = 0;
    job.phase = 'failed';
    expect(machine.mode).toBe('previewing');
    expect(machine.key('Enter')).toBe(false);
    expect(machine.key('Escape')).toBe(true);
    expect(log).toEqual(['tool.key Enter', 'discard']);
    expect(machine.key('a')).toBe(false);
  });

  it('gives Enter to the tool and Escape cancels its edit; Escape with nothing to cancel is not used', () => {
    const { machine, tool, log } = setup();
    expect(machine.key('Escape')).toBe(false);
    tool.busy = true;
    expect(machine.key('Enter')).toBe(true);
    expect(machine.key('Escape')).toBe(true);
    expect(log).toEqual(['tool.key Enter', 'tool.cancel']);
    expect(machine.mode).toBe('idle');
  });

  it('drops a running or previewed job when the labels are about to change, and only then', () => {
    const { machine, job, log } = setup();
    machine.edit();
    expect(log).toEqual([]);
    for (const phase of ['running', 'preview', 'failed'] as const) {
      job.phase = phase;
      machine.edit();
      expect(machine.mode).toBe('idle');
    }
    expect(log).toEqual(['dropJob edited', 'dropJob edited', 'dropJob edited']);
  });

  it('leaving the map drops the job quietly and commits or cancels the edit in progress', () => {
    const { machine, tool, job, log } = setup();
    machine.leave('finish');
    expect(log).toEqual(['tool.finish']); // no job: nothing dropped
    log.length = 0;
    job.phase = 'preview';
    tool.busy = true;
    machine.leave('cancel');
    expect(log).toEqual(['dropJob', 'tool.cancel']);
    expect(machine.mode).toBe('idle');
  });
});
