import type {BackendName, Phase} from '../../src/shared/protocol/index.ts';

/** WebGPU's default maxStorageBufferBindingSize, what a device has unless it asks for more (tfjs asks for the adapter's). */
const DEFAULT_BINDING_BYTES = 128 * 1024 * 1024;
/** block1's activation (batch × 150² × 64 floats) at the batch where the H200 stopped getting faster: 64. */
const WEBGPU_ACTIVATION_BYTES = 64 * 150 * 150 * 64 * 4;
/** The feature step's default, kept for the CPU-side backends. */
const CPU_BATCH = 8;

export interface BatchQuestion {
  backend: BackendName;
  phase: Phase;
  inputSize: number;
  /** Channels of the first conv layer (VGG16: 64; the demo backbone: 16). */
  firstWidth?: number;
  /** The device's maxStorageBufferBindingSize, where known (WebGPU). */
  maxBindingBytes?: number;
}

/**
 * Images per batch for passes whose results do not depend on the batching:
 * feature extraction, evaluation, fine-tuning's validation and its frozen
 * layers' forward pass. Never the training batch, which is a hyperparameter.
 *
 * webgpu: stock tfjs-webgpu 4.22 on an H200 (scripts/gpu-bench, VGG16 at
 * 150×150) ran 928, 1,026 and 1,021 images/s at batches 32, 64 and 128: the
 * GPU is full from 64 images on, and larger batches only hold more memory.
 * So the batch keeps block1's activation near its size at 64 images of
 * 150×150 (rounded to a power of two: 32 at 224×224), and small enough for
 * one storage binding. In training the step's own activations share the
 * memory: half as many. The CPU backends (wasm, cpu) and WebGL keep 8.
 */
export function preferredBatchSize(question: BatchQuestion): number {
  if (question.backend !== 'webgpu') return CPU_BATCH;
  const bytesPerImage = question.inputSize * question.inputSize * (question.firstWidth ?? 64) * 4;
  const share = question.phase === 'training' ? 2 : 1;
  const byActivation = 2 ** Math.round(Math.log2(Math.max(1, WEBGPU_ACTIVATION_BYTES / share / bytesPerImage)));
  const byBinding = 2 ** Math.floor(Math.log2(Math.max(1, (question.maxBindingBytes ?? DEFAULT_BINDING_BYTES) / bytesPerImage)));
  return Math.min(128, byActivation, byBinding);
}
