/**
 * The names of every IPC channel, in one dependency-free list so the sandboxed preload can bundle it
 * without the validation library. `contract.ts` is checked against it at compile time.
 */
export const CHANNELS = [
  'app.info',
  'app.closeReady',
  'project.create',
  'project.open',
  'project.close',
  'project.current',
  'project.recent',
  'project.forgetRecent',
  'dialog.createProject',
  'dialog.openProject',
  'dialog.pickImages',
  'dialog.pickFolder',
  'images.list',
  'images.thumbnail',
  'images.import',
  'images.importFiles',
  'images.cancelImport',
  'images.setSplit',
  'images.setStatus',
  'images.remove',
  'images.original',
  'images.preview',
  'labels.load',
  'labels.save',
  'labels.saveChanges',
  'masks.import',
  'classes.list',
  'classes.add',
  'classes.update',
  'classes.reorder',
  'classes.remove',
  'classes.merge',
  'classes.usage',
  'classes.loadNames',
  'images.labelSources',
  'train.classWeights',
  'train.plan',
  'train.start',
  'train.stop',
  'train.backends',
  'runs.list',
  'runs.epochs',
  'export.run',
  'export.cancel',
  'runs.checkpoints',
  'model.active',
  'model.select',
  'predict.image',
  'predict.rank',
  'predict.rankRefresh',
  'predict.cancel',
] as const;

export type Channel = (typeof CHANNELS)[number];

/**
 * The one IPC message outside the contract's channels: only the preload sends it, with the paths of
 * files dropped on the window (`MaskwrightApi.grantDropped`); the page's `invoke` cannot reach it.
 */
export const DROP_GRANT_CHANNEL = 'drop.grant';
