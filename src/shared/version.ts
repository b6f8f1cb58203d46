import {version} from '../../package.json';

/** The app's version (package.json's), recorded in every file the app writes: projects, run manifests, exports. */
export const APP_VERSION: string = version;
