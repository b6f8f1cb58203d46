import type {Progress, WeightsInfo, WeightsSource} from '../../src/shared/protocol/index.ts';
import {loadVgg16Weights} from '../model/load-weights.ts';
import type {Listener} from '../runtime/progress.ts';
import type {Session} from '../session/session.ts';

/** The VGG16 conv base's weights: loaded (downloaded, read from a file or kept), checked, held as bytes. */
export function createWeightsService(session: Session) {
  return {
    /**
     * Loads and checks the weights, reporting bytes as they arrive; a
     * cancel stops the download and keeps the weights loaded before.
     */
    load(jobId: string, source: WeightsSource, onEvent?: Listener<Progress>): Promise<WeightsInfo> {
      return session.job(jobId, onEvent, async (signal) => {
        const loaded = await loadVgg16Weights(source, {signal, onProgress: onEvent});
        session.setWeights(loaded);
        return loaded.info;
      });
    },

    info(): WeightsInfo | null {
      return session.weights?.info ?? null;
    },
  };
}
