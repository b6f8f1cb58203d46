import type {AugmentSettings, FeatureRunOptions, FineTuneOptions, HeadOptions} from './protocol/index.ts';

/** The tutorial's head settings: RMSprop (Keras's default rate), 30 epochs, batch 20. */
export const DEFAULT_HEAD_OPTIONS: HeadOptions = {
  optimizer: 'rmsprop',
  learningRate: 1e-3,
  epochs: 30,
  batchSize: 20,
  seed: 1,
  earlyStoppingPatience: null,
};

/**
 * The tutorial's 150×150 input, the preprocessing VGG16's ImageNet weights
 * were trained with, and bilinear resizing: smooth both ways and
 * antialiased when shrinking photos ('nearest' reproduces the tutorial's
 * exact pixels; see the README).
 */
export const DEFAULT_FEATURE_OPTIONS: Required<FeatureRunOptions> = {
  inputSize: 150,
  preprocessing: 'caffe',
  resize: 'bilinear',
  batchSize: 8,
};

/** The tutorial's augmentation: ImageDataGenerator(rotation_range=40, width_shift_range=0.2, …, horizontal_flip=True, fill_mode='nearest'). */
export const DEFAULT_AUGMENT: AugmentSettings = {
  rotationRange: 40,
  widthShiftRange: 0.2,
  heightShiftRange: 0.2,
  shearRange: 0.2,
  zoomRange: 0.2,
  horizontalFlip: true,
};

/** The tutorial's fine-tuning: SGD with a small learning rate and momentum, 20 epochs, batch 16, its augmentation. */
export const DEFAULT_FINE_TUNE: FineTuneOptions = {
  learningRate: 1e-4,
  momentum: 0.9,
  epochs: 20,
  batchSize: 16,
  seed: 1,
  augment: DEFAULT_AUGMENT,
};
