// Decoding in parallel: one decode worker per core (up to MAX_DECODERS), started on the first import,
// each file sent to the worker with the fewest files in hand. createImageBitmap and the canvas read
// run on those workers, so the training worker only copies finished pixels into the store.
import * as Comlink from 'comlink';
import type { DecodeResult } from '../../data/decode';
import type { Decoder } from './datasetManager';

export const MAX_DECODERS = 8;

interface DecodeWorker {
  api: Comlink.Remote<{ decode(file: File, side: number): Promise<DecodeResult> }>;
  busy: number;
}

export function decoderPool(size: number): Decoder {
  const parallel = Math.max(1, Math.min(size, MAX_DECODERS));
  const workers: DecodeWorker[] = [];
  const start = () => {
    for (let i = 0; i < parallel; i++) {
      const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: `ijepa-decoder-${i}` });
      workers.push({ api: Comlink.wrap(worker), busy: 0 });
    }
  };
  return {
    parallel,
    async decode(file, side) {
      if (workers.length === 0) start();
      const worker = workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      worker.busy++;
      try {
        return await worker.api.decode(file, side);
      } finally {
        worker.busy--;
      }
    },
  };
}
