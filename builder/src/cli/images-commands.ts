export { imagesSyncCommand } from './images-sync.js';
export { imagesImportCommand } from './images-import.js';
export { imagesVerifyCommand } from './images-verify.js';
export { imagesListCommand } from './images-list.js';
export { imagesPruneCommand } from './images-prune.js';
