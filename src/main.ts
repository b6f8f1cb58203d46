// The playground page's entry: registers every element (index.html uses <tl-playground>) and,
// for the app alone, the service worker that keeps it usable offline.
import './index.ts';
import {registerServiceWorker} from './app/register-service-worker.ts';

registerServiceWorker();
