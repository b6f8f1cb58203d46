/**
 * The service worker's runtime cache of the large ImageNet VGG16 files
 * (`models/vgg16/*`, 58 MB): named here because the app's build configures
 * it (vite.config.ts) and the worker's storage list counts and deletes its
 * files with the weights they belong to.
 */
export const WEIGHTS_OFFLINE_CACHE = 'transfer-lab-vgg16-weights';

/** Where the app serves those files, relative to its base: the cache's route matches this. */
export const WEIGHTS_OFFLINE_PATH = 'models/vgg16/';
