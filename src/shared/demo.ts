import {DEFAULT_FINE_TUNE, DEFAULT_HEAD_OPTIONS} from './defaults.ts';
import type {FeatureRunOptions, FineTuneOptions, HeadOptions} from './protocol/index.ts';

/**
 * The offline demo: a narrow VGG16 pre-trained on Fashion-MNIST and a small
 * bags-vs-ankle-boots dataset, both in public/demo/ (made by scripts/demo/).
 * Everything it needs ships with the app, so it runs without a network.
 */
export const DEMO = {
  /** Relative to the demo folder (public/demo/ in the app). */
  weightsPath: 'backbone/model.json',
  datasetPath: 'fashion-bag-vs-boot.zip',
  /**
   * Fashion-MNIST is 28×28: 32 is VGG16's smallest input, and what the
   * backbone was pre-trained at, upscaled bicubically (as its model.json says).
   */
  features: {inputSize: 32, preprocessing: 'caffe', resize: 'bicubic', batchSize: 32} satisfies Required<FeatureRunOptions>,
  head: {...DEFAULT_HEAD_OPTIONS} satisfies HeadOptions,
  /**
   * The tutorial's SGD, for fewer epochs, with milder augmentation: at 32×32 its
   * 40° turns and flips change a 28-pixel boot more than a 150-pixel photo, and the
   * backbone learnt that shoes point one way (it was pre-trained without flips).
   */
  fineTune: {
    ...DEFAULT_FINE_TUNE,
    epochs: 5,
    augment: {rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, shearRange: 0, zoomRange: 0.1, horizontalFlip: false},
  } satisfies FineTuneOptions,
} as const;
