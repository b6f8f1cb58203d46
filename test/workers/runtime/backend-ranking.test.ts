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
    expect(order('training', hardware)).to.deep.equal(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('prefers wasm for both phases on software adapters, and says why the adapters sit lower', () => {
    for (const phase of ['inference', 'training'] as const) {
      expect(order(phase, software), phase).to.deep.equal(['wasm', 'webgl', 'webgpu', 'cpu']);
      const notes = new Map(rankBackends(phase, software).order.map((c) => [c.backend, c.note]));
      expect(notes.get('webgpu'), phase).to.match(/software WebGPU adapter.*slower than wasm/);
      expect(notes.get('webgl'), phase).to.match(/software WebGL \(ANGLE.*SwiftShader.*\): about [\d–]+× slower than wasm/);
    }
    expect(rankBackends('training', software).order.find((c) => c.backend === 'webgl')?.note).to.match(/for fine-tuning$/);
  });

  it('trains on wasm wherever no hardware adapter is found', () => {
    for (const caps of [software, none]) {
      const {order: candidates, excluded} = rankBackends('training', caps);
      expect(candidates[0]?.backend).to.equal('wasm');
      expect(excluded.map((c) => c.backend)).not.to.include('wasm');
    }
  });

  it('excludes unavailable backends with the probe’s reason', () => {
    const {order: candidates, excluded} = rankBackends('inference', none);
    expect(candidates.map((c) => c.backend)).to.deep.equal(['wasm', 'cpu']);
    expect(excluded.find((c) => c.backend === 'webgpu')?.note).to.match(/navigator\.gpu is missing/);
  });
});
