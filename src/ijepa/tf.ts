// The engine's single tfjs entry point: tfjs-core plus gradients and chained ops, no backend.
// The caller (worker, tests) registers and selects a backend; the engine works on any of them.
// Importing it also makes every backward pass free what it has used (./gradientMemory.ts).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

import { installGradientRelease } from './gradientMemory';

export * from '@tensorflow/tfjs-core';

installGradientRelease(); // every backward pass of the engine frees what it has used (./gradientMemory.ts)
