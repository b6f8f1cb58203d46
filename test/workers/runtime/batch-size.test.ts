import {expect} from '@open-wc/testing';
import {preferredBatchSize} from '../../../workers/runtime/batch-size.ts';

const GiB = 2 ** 30;

describe('preferredBatchSize', () => {
  it('gives WebGPU the batch where the H200 stopped getting faster at 150×150, scaled by the pixels', () => {
    expect(preferredBatchSize({backend: 'webgpu', phase: 'inference', inputSize: 150, maxBindingBytes: 2 * GiB})).to.equal(64);
    expect(preferredBatchSize({backend: 'webgpu', phase: 'inference', inputSize: 224, maxBindingBytes: 2 * GiB})).to.equal(32);
    expect(preferredBatchSize({backend: 'webgpu', phase: 'inference', inputSize: 32, maxBindingBytes: 2 * GiB})).to.equal(128);
  });

  it('halves it in training, and widens it for a narrow first layer', () => {
    expect(preferredBatchSize({backend: 'webgpu', phase: 'training', inputSize: 150, maxBindingBytes: 2 * GiB})).to.equal(32);
    expect(preferredBatchSize({backend: 'webgpu', phase: 'inference', inputSize: 150, firstWidth: 16, maxBindingBytes: 2 * GiB})).to.equal(128);
  });

  it("keeps block1's activation inside one storage binding (WebGPU's default 128 MiB when the device's is unknown)", () => {
    // 150×150×64 floats = 5.5 MiB an image: 23 fit in 128 MiB, so 16.
    expect(preferredBatchSize({backend: 'webgpu', phase: 'inference', inputSize: 150})).to.equal(16);
    expect(preferredBatchSize({backend: 'webgpu', phase: 'inference', inputSize: 1000, maxBindingBytes: 128 * 2 ** 20})).to.equal(1);
  });

  it('keeps 8 on the CPU backends and WebGL', () => {
    for (const backend of ['wasm', 'cpu', 'webgl'] as const) {
      expect(preferredBatchSize({backend, phase: 'inference', inputSize: 150})).to.equal(8);
    }
  });
});
