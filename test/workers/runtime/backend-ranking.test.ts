import {expect} from '@open-wc/testing';
import {rankBackends, type Capabilities} from '../../../workers/runtime/backend-ranking.ts';

const adapter = (isFallbackAdapter: boolean) => ({
  vendor: isFallbackAdapter ? 'google' : 'nvidia',
  architecture: isFallbackAdapter ? 'swiftshader' : 'hopper',
  device: '',
  description: '',
  isFallbackAdapter,
});

const hardware: Capabilities = {
  webgpu: {adapter: adapter(false)},
  webgl: {summary: {renderer: 'ANGLE (NVIDIA)', software: false}},
};
const software: Capabilities = {
  webgpu: {adapter: adapter(true)},
  webgl: {summary: {renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))', software: true}},
};
const none: Capabilities = {
  webgpu: {unavailable: 'not available: navigator.gpu is missing'},
  webgl: {unavailable: 'not available: no WebGL context could be created'},
};

const order = (phase: 'inference' | 'training', caps: Capabilities) =>
  rankBackends(phase, caps).order.map((c) => c.backend);

describe('rankBackends', () => {
  it('puts a hardware WebGPU adapter first for both phases', () => {
    expect(order('inference', hardware)).to.deep.equal(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(order('training', hardware)).to.deep.equal(['webgpu', 'webgl', 'cpu']);
  });

  it('prefers wasm for inference and WebGL for training on software adapters', () => {
    expect(order('inference', software)).to.deep.equal(['wasm', 'webgl', 'webgpu', 'cpu']);
    expect(order('training', software)).to.deep.equal(['webgl', 'webgpu', 'cpu']);
    const note = rankBackends('inference', software).order.find((c) => c.backend === 'webgpu')?.note;
    expect(note).to.match(/software WebGPU adapter.*slower than wasm/);
  });

  it('never trains on wasm, and says why', () => {
    for (const caps of [hardware, software, none]) {
      const {order: candidates, excluded} = rankBackends('training', caps);
      expect(candidates.map((c) => c.backend)).not.to.include('wasm');
      expect(excluded.find((c) => c.backend === 'wasm')?.note).to.match(/Conv2DBackpropFilter/);
    }
  });

  it('excludes unavailable backends with the probe’s reason', () => {
    const {order: candidates, excluded} = rankBackends('inference', none);
    expect(candidates.map((c) => c.backend)).to.deep.equal(['wasm', 'cpu']);
    expect(excluded.find((c) => c.backend === 'webgpu')?.note).to.match(/navigator\.gpu is missing/);
  });
});
