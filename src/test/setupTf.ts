// Vitest setup: the engine is backend-agnostic; unit tests run it on the pure-JS CPU backend.
import '@tensorflow/tfjs-backend-cpu';
import '../ijepa/fused/cpu'; // the fused kernels, as in the app
import * as tf from '../ijepa/tf';

await tf.setBackend('cpu');
await tf.ready();
