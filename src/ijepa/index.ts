// The engine's public surface: pure TypeScript on tfjs, no DOM, runs in Node and in the browser.
export * from './config';
export * from './validate';
export * from './masks';
export * from './schedules';
export * from './model';
export * from './trainStep';
export * from './augment';
export * from './features';
export * from './checkpoint';
export { readSafetensors, writeSafetensors, SafetensorsError } from './safetensors';
export { createRng, type Rng } from './rng';
