import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE } from '../../../core/training/schedule';
import {
  asRecorded,
  BACKEND_DEFAULTS,
  backendClass,
  resolveTrainSettings,
  trainSettingsSchema,
  workingSize,
} from '../../../core/training/settings';

describe('training defaults by backend', () => {
  it('class webgpu on a hardware adapter and CUDA as GPU, everything else as CPU', () => {
    expect(backendClass({ name: 'webgpu', detail: '', software: false })).toBe('gpu');
    expect(backendClass({ name: 'webgpu', detail: '', software: true })).toBe('cpu');
    expect(backendClass({ name: 'tensorflow', detail: '@tensorflow/tfjs-node-gpu' })).toBe('gpu');
    expect(backendClass({ name: 'tensorflow', detail: '@tensorflow/tfjs-node' })).toBe('cpu');
    expect(backendClass({ name: 'wasm', detail: '@tensorflow/tfjs-backend-wasm, threaded SIMD' })).toBe('cpu');
    expect(backendClass({ name: 'cpu', detail: '' })).toBe('cpu');
  });

  it('fill what the user left unset from the backend’s row, and keep what they set', () => {
    const oneClick = trainSettingsSchema.parse({ epochs: 30, minutes: 10 });
    expect(oneClick).toMatchObject({ schedule: DEFAULT_SCHEDULE, weightDecay: 0, learningRate: 1e-3 });
    expect(oneClick.batchSize).toBeUndefined();
    expect(resolveTrainSettings(oneClick, 'cpu')).toMatchObject({ longSide: 256, baseFilters: 16, batchSize: 4 });
    expect(resolveTrainSettings(oneClick, 'gpu')).toMatchObject({ longSide: 512, baseFilters: 32, batchSize: 8 });
    const mine = trainSettingsSchema.parse({ epochs: 3, batchSize: 2, baseFilters: 24 });
    expect(resolveTrainSettings(mine, 'gpu')).toMatchObject({ batchSize: 2, baseFilters: 24, longSide: 512 });
    // Resuming: the checkpoint's width before the table's, the user's before both.
    expect(resolveTrainSettings(oneClick, 'gpu', { baseFilters: 16 }).baseFilters).toBe(16);
    expect(resolveTrainSettings(mine, 'cpu', { baseFilters: 16 }).baseFilters).toBe(24);
  });

  it('take the stem from the user, else the resumed checkpoint, else the table; old runs had none', () => {
    const oneClick = trainSettingsSchema.parse({ epochs: 30, minutes: 10 });
    expect(resolveTrainSettings(oneClick, 'cpu').stem).toBe(BACKEND_DEFAULTS.cpu.stem);
    expect(resolveTrainSettings(oneClick, 'gpu').stem).toBe(BACKEND_DEFAULTS.gpu.stem);
    expect(resolveTrainSettings(oneClick, 'cpu', { stem: 4 }).stem).toBe(4);
    const mine = trainSettingsSchema.parse({ epochs: 3, stem: 2 });
    expect(resolveTrainSettings(mine, 'cpu', { stem: 4 }).stem).toBe(2);
    expect(trainSettingsSchema.safeParse({ epochs: 3, stem: 3 }).success).toBe(false);
    // A run recorded before stems existed: its settings have none, its model had none.
    expect(asRecorded(trainSettingsSchema.parse({ epochs: 3, baseFilters: 16 })).stem).toBe(1);
    expect(asRecorded(mine).stem).toBe(2);
  });

  it('size a 960x720 image to the row’s long side', () => {
    expect(workingSize(960, 720, 3, BACKEND_DEFAULTS.cpu.longSide)).toEqual({ width: 256, height: 192 });
    expect(workingSize(960, 720, 3, BACKEND_DEFAULTS.gpu.longSide)).toEqual({ width: 512, height: 384 });
  });

  it('round the working size to multiples of stem x 2^depth', () => {
    // 1000x720 at long side 256: 256 x 184.32, so 184 (23 x 8) at depth 3, 192 (12 x 16) behind a stem of 2.
    expect(workingSize(1000, 720, 3, 256)).toEqual({ width: 256, height: 184 });
    expect(workingSize(1000, 720, 3, 256, 2)).toEqual({ width: 256, height: 192 });
    expect(workingSize(1000, 720, 3, 256, 4)).toEqual({ width: 256, height: 192 });
  });
});
