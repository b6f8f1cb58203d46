import {transferHandlers, type TransferHandler} from 'comlink';
import {deserializeError, serializeError, type SerializedError} from './errors.ts';

interface ThrownValue {
  value: unknown;
}

/**
 * Comlink's built-in 'throw' handler keeps only name, message and stack.
 * Ours also keeps `details` (e.g. the list of mismatched weights), so the UI
 * can show what is wrong without parsing messages. Both sides install it.
 * Comlink marks thrown values with a private symbol, so we keep its
 * `canHandle` and replace only the wire format.
 */
export function installNamedErrorTransfer(): void {
  const builtIn = transferHandlers.get('throw');
  if (!builtIn) throw new Error('Comlink has no "throw" transfer handler to extend');
  const handler: TransferHandler<ThrownValue, SerializedError> = {
    canHandle: (value: unknown): value is ThrownValue => builtIn.canHandle(value),
    serialize: ({value}) => [serializeError(value), []],
    deserialize: (serialized) => {
      throw deserializeError(serialized);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}
