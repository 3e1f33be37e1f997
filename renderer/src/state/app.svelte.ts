/** Top-level state: which project is open (if any) and the recent-projects list. */
import type { ProjectInfo, RecentProject } from '../../../core/ipc/contract';
import { call, errorMessage } from '../lib/api';

export class AppState {
  /** False until the first `project.current` answered, so a reload does not flash the welcome screen. */
  ready = $state(false);
  project = $state<ProjectInfo | null>(null);
  recent = $state<RecentProject[]>([]);
  error = $state<string | null>(null);
  busy = $state(false);

  async start(): Promise<void> {
    await this.run(async () => {
      this.project = await call('project.current');
      if (!this.project) this.recent = await call('project.recent');
    });
    this.ready = true;
  }

  createProject(): Promise<void> {
    return this.run(async () => {
      const picked = await call('dialog.createProject');
      if (picked) this.project = await call('project.create', { grant: picked.grant });
    });
  }

  /** Opens a recent project by its grant, or asks for one with the open dialog. */
  openProject(grant?: string): Promise<void> {
    return this.run(async () => {
      const chosen = grant ?? (await call('dialog.openProject'))?.grant;
      if (chosen) this.project = await call('project.open', { grant: chosen });
    });
  }

  closeProject(): Promise<void> {
    return this.run(async () => {
      await call('project.close');
      this.project = null;
      this.recent = await call('project.recent');
    });
  }

  forgetRecent(grant: string): Promise<void> {
    return this.run(async () => {
      this.recent = await call('project.forgetRecent', { grant });
    });
  }

  dismissError(): void {
    this.error = null;
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.error = null;
    this.busy = true;
    try {
      await action();
    } catch (err) {
      this.error = errorMessage(err);
      // A failed open may mean the file vanished: show the list as it is now.
      if (!this.project) this.recent = await call('project.recent').catch(() => this.recent);
    } finally {
      this.busy = false;
    }
  }
}
