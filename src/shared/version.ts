import {name, version} from '../../package.json';

/** The app's name and version (package.json's), recorded in every file the app writes: projects, run manifests, exports. */
export const APP_NAME: string = name;
export const APP_VERSION: string = version;
