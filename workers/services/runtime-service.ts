import * as tf from '@tensorflow/tfjs';
import type {BackendOverrides, MemoryReport, RuntimeReport, StorageReport} from '../../src/shared/protocol/index.ts';
import type {Session} from '../session/session.ts';
import {storageReport} from '../storage/database.ts';

/** The backends each phase runs on, the storage this context allows, and the tensors alive. */
export function createRuntimeService(session: Session) {
  return {
    /** The backend per phase and why; chooses again when overrides are given. */
    configure(overrides?: BackendOverrides): Promise<RuntimeReport> {
      return session.serially(() => session.runtime(overrides));
    },

    /** Whether what the steps make is kept in IndexedDB, or lives in memory only, and why. */
    storage(): Promise<StorageReport> {
      return storageReport();
    },

    memory(): MemoryReport {
      const {numTensors, numBytes} = tf.memory();
      return {backend: tf.getBackend() as MemoryReport['backend'], numTensors, numBytes};
    },
  };
}
