// What the device benchmark takes from the project: its own code, bundled as the app bundles it.
export {registerWebgpuKernels} from '../../workers/kernels/webgpu/register.ts';
export {setWebgpuKernelOptions} from '../../workers/kernels/webgpu/kernel-options.ts';
export {subgroupSizeOf} from '../../workers/kernels/webgpu/device.ts';
export {buildVgg16} from '../../workers/model/vgg16.ts';
export {decodeVgg16Bundle, randomVgg16Bundle} from '../../workers/model/weights-bundle.ts';
export {buildFineTuneModel, fineTune} from '../../workers/training/fine-tune.ts';
export {buildHead, labelTensor, lossFor} from '../../workers/training/head.ts';
export {trainHead} from '../../workers/training/train-head.ts';
export {extractFeatures} from '../../workers/features/extract-features.ts';
export {preferredBatchSize} from '../../workers/runtime/batch-size.ts';
export {DEFAULT_FINE_TUNE, DEFAULT_HEAD_OPTIONS} from '../../src/shared/defaults.ts';
