import * as tf from '@tensorflow/tfjs';
import {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import {ENABLE_SUBGROUPS_MARKER} from './implicit-gemm.ts';

/** Subgroup size of each device we made: 0 without subgroups or when its size varies (min ≠ max). */
const subgroupSizes = new WeakMap<GPUDevice, number>();

export function subgroupSizeOf(device: GPUDevice): number {
  return subgroupSizes.get(device) ?? 0;
}

/**
 * tfjs-backend-webgpu 4.22's own factory, with the `subgroups` feature
 * added where the adapter has it (tfjs asks only for timestamp-query and
 * bgra8unorm-storage), and shader modules that ask for subgroups given the
 * `enable subgroups;` directive: tfjs assembles every shader itself and
 * emits no directives, which must come before any declaration.
 */
async function createBackend(): Promise<WebGPUBackend> {
  const adapter = await navigator.gpu.requestAdapter({
    powerPreference: tf.env().get('WEBGPU_USE_LOW_POWER_GPU') ? 'low-power' : 'high-performance',
  });
  if (!adapter) throw new Error('requestAdapter() found no WebGPU adapter');
  // @webgpu/types 0.1.74 predates 'subgroups' in GPUFeatureName.
  const wanted = ['timestamp-query', 'bgra8unorm-storage', 'subgroups'] as GPUFeatureName[];
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: wanted.filter((f) => adapter.features.has(f)),
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  if (device.features.has('subgroups')) {
    const info = adapter.info as GPUAdapterInfo & {subgroupMinSize?: number; subgroupMaxSize?: number};
    subgroupSizes.set(device, info.subgroupMinSize !== undefined && info.subgroupMinSize === info.subgroupMaxSize ? info.subgroupMinSize : 0);
    const create = device.createShaderModule.bind(device);
    device.createShaderModule = (descriptor: GPUShaderModuleDescriptor) =>
      create(descriptor.code.includes(ENABLE_SUBGROUPS_MARKER) ? {...descriptor, code: `enable subgroups;\n${descriptor.code}`} : descriptor);
  }
  return new WebGPUBackend(device, adapter.info);
}

/**
 * Puts our factory in place of tfjs's for 'webgpu', before the backend
 * starts. Where tfjs registered none (no navigator.gpu), neither do we.
 */
export function replaceWebgpuBackendFactory(): void {
  const factory = tf.findBackendFactory('webgpu');
  // Once started, the backend keeps its device (and tensors): our kernels then run without subgroups.
  const started = 'webgpu' in (tf.engine() as unknown as {registry: Record<string, unknown>}).registry;
  if (!factory || factory === createBackend || started) return;
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', createBackend, 3);
}
