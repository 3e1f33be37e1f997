import { join } from 'node:path';
import { Project } from '../../services/project';
import { insertImage } from '../../db/images';
import { createHandlers, Session } from '../../main/ipc/handlers';
import { createRegistry, type Registry } from '../../main/ipc/registry';
import { tempDir } from './fixtures';

/** A fresh project file in a temp folder; `close()` closes it and removes the folder. */
export function tempProject(): { project: Project; dir: string; close: () => void } {
  const t = tempDir();
  const project = Project.create(join(t.dir, 'test.maskwright'));
  return {
    project,
    dir: t.dir,
    close: () => {
      project.close();
      t.cleanup();
    },
  };
}

let shaCounter = 0;
/** Inserts an image row with placeholder bytes (for tests of label maps and classes, not of decoding). */
export function fakeImage(project: Project, width: number, height: number, name = `img${shaCounter}.png`): number {
  shaCounter++;
  return insertImage(project.db, {
    name,
    sha256: shaCounter.toString(16).padStart(64, '0'),
    format: 'png',
    width,
    height,
    orientation: 1,
    original: new Uint8Array([1]),
    thumbnail: new Uint8Array([1]),
    thumbnailMime: 'image/jpeg',
  });
}

/** The app's registry on an already open project (no dialogs, no training); `close()` detaches it. */
export function projectRegistry(
  project: Project,
  dataDir: string,
): { registry: Registry; session: Session; close: () => void } {
  const none = async () => null;
  const session = new Session({
    version: 'test',
    platform: 'test',
    dataDir,
    dialogs: { createProject: none, openProject: none, pickImages: async () => [], pickFolder: none },
  });
  session.project = project;
  return {
    registry: createRegistry(createHandlers(session), () => {}),
    session,
    close: () => (session.project = null),
  };
}
