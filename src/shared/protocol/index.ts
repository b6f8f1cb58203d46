/**
 * Types that cross the worker boundary, one module per step. Plain data
 * only: no DOM, no tfjs. Big data that has to cross (pixels in, features
 * out) crosses as transferred ArrayBuffers, not copies.
 */
export * from './runtime.ts';
export * from './weights.ts';
export * from './dataset.ts';
export * from './features.ts';
export * from './head.ts';
export * from './fine-tune.ts';
export * from './evaluation.ts';
export * from './export.ts';
export * from './storage.ts';
export * from './explain.ts';
export * from './progress.ts';
export * from './project.ts';
export * from './webcam.ts';
