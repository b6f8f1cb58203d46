import type {UseStore} from 'idb-keyval';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {DatasetManifest, FeatureSpec, Split} from '../../src/shared/protocol/index.ts';
import {featureKey, featureStore, readFeatures} from '../features/feature-cache.ts';
import {featureShapeFor} from '../model/vgg16-layout.ts';
import type {FeatureSet} from './train-head.ts';

const CHUNK = 256;

/** A split's images (manifest indices) and their labels. */
export function imagesOf(manifest: Pick<DatasetManifest, 'images'>, split: Split): {images: number[]; labels: number[]} {
  const images = manifest.images.flatMap((image, index) => (image.split === split ? [index] : []));
  return {images, labels: images.map((index) => manifest.images[index]!.label)};
}

/**
 * Reads the features of one split from IndexedDB only: no zip, no VGG16,
 * no network. Missing features are a named error, never a silent gap.
 */
export async function loadFeatureSet(
  manifest: Pick<DatasetManifest, 'images'>,
  split: Split,
  spec: FeatureSpec,
  store: UseStore = featureStore(),
): Promise<FeatureSet & {images: number[]}> {
  const {images: indices} = imagesOf(manifest, split);
  const images = indices.map((index) => manifest.images[index]!);
  const size = featureShapeFor(spec.inputSize, spec.channels).reduce((a, b) => a * b, 1);
  const features = new Float32Array(images.length * size);
  let missing = 0;
  for (let start = 0; start < images.length; start += CHUNK) {
    const chunk = images.slice(start, start + CHUNK);
    const values = await readFeatures(chunk.map((image) => featureKey(spec, image.hash)), store);
    values.forEach((value, j) => {
      if (value?.length === size) features.set(value, (start + j) * size);
      else missing++;
    });
  }
  if (missing > 0) {
    throw new NamedError(
      ErrorName.FeaturesMissing,
      `${missing} of ${images.length} ${split} images have no cached features for these settings (${spec.inputSize}×${spec.inputSize}, ${spec.preprocessing}): run the feature step first.`,
      {missing, split},
    );
  }
  return {features, labels: images.map((image) => image.label), images: indices};
}
