import {expose} from 'comlink';
import {installNamedErrorTransfer} from '../src/shared/comlink-errors.ts';
import {createTrainerServices} from './trainer-services.ts';

installNamedErrorTransfer();

// A helper worker's failure that a library rethrows as the event itself (tfjs's
// emscripten glue does `throw e` in its pthreads' onerror) reaches the page as
// "Uncaught [object ErrorEvent]": say what failed, and where, instead.
self.addEventListener('error', (event) => {
  const inner: unknown = event.error;
  if (!(inner instanceof Event)) return;
  event.preventDefault();
  const what = inner instanceof ErrorEvent ? `${inner.message} (${inner.filename}:${inner.lineno}:${inner.colno})` : `a ${inner.type} event from ${String(inner.target)}`;
  // Thrown from a new task: an error thrown while an error is being reported is dropped.
  setTimeout(() => {
    throw new Error(`A helper worker failed: ${what}`);
  });
});

expose(createTrainerServices());
