/** Messages between a training process and its parent (the app's main process or the CLI). */
import type { TrainMessage } from '../../core/training/messages';
import type { TrainSettingsInput } from '../../core/training/settings';

export type ToWorker =
  | { type: 'start'; projectPath: string; runId: number; settings: TrainSettingsInput; nativeBinding?: string }
  | { type: 'stop' };

export type FromWorker = TrainMessage;
