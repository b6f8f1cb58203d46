import type {FeatureRunOptions, HeadOptions} from './protocol.ts';

/** The tutorial's head settings: RMSprop (Keras's default rate), 30 epochs, batch 20. */
export const DEFAULT_HEAD_OPTIONS: HeadOptions = {
  optimizer: 'rmsprop',
  learningRate: 1e-3,
  epochs: 30,
  batchSize: 20,
  seed: 1,
  earlyStoppingPatience: null,
};

/** The tutorial's 150×150 input, and the preprocessing VGG16's ImageNet weights were trained with. */
export const DEFAULT_FEATURE_OPTIONS: Required<FeatureRunOptions> = {
  inputSize: 150,
  preprocessing: 'caffe',
  batchSize: 8,
};
