// Vitest setup: the engine is backend-agnostic; unit tests run it on the pure-JS CPU backend.
import '@tensorflow/tfjs-backend-cpu';
import { registerFusedKernels } from '../ijepa/fused/register';
import * as tf from '../ijepa/tf';

registerFusedKernels(); // as in the app

await tf.setBackend('cpu');
await tf.ready();
