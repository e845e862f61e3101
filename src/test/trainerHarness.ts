// A trainer API in Node (CPU backend) for the worker-module tests: no Worker, a fake decoder (pixels
// from the file size; ".txt" is not an image, "broken*" does not decode), storage in memory.
import { afterEach } from 'vitest';
import type { DecodeResult } from '../data/decode';
import type { PickedFile } from '../data/files';
import { presetConfig } from '../ijepa/config';
import { memoryStorage } from '../worker/run/persistence';
import type { RunStatus, WorkerEvent } from '../worker/protocol';
import { createTrainerApi, type InitOptions, type TrainerApi, type TrainerEnv } from '../worker/trainerApi';

export const config = presetConfig('micro', { batchSize: 4, totalSteps: 50, warmupSteps: 5 });

export async function fakeDecode(file: File, side: number): Promise<DecodeResult> {
  if (file.name.endsWith('.txt')) return { ok: false, reason: 'not an image' };
  if (file.name.startsWith('broken')) return { ok: false, reason: 'could not decode' };
  return { ok: true, rgb: new Uint8Array(side * side * 3).fill(file.size % 256), width: side, height: side };
}

/** fakeDecode, `ms` slower: decodes that are still running when the test acts. */
export const delayedDecode = (ms: number) => async (file: File, side: number) => {
  await new Promise((r) => setTimeout(r, ms));
  return fakeDecode(file, side);
};

/** `perClass` files in one folder per class (`set/<class>/<i>.png`), each with its own pixels (size). */
export function labelledFiles(classes: string[], perClass: number): PickedFile[] {
  return classes.flatMap((c, k) =>
    Array.from({ length: perClass }, (_, i) => ({
      file: new File([new Uint8Array(1 + k * perClass + i)], `${i}.png`),
      path: `set/${c}/${i}.png`,
    })),
  );
}

let current: TrainerApi | null = null;

/** Registers the reset of each test's trainer after the test (call once per test file). */
export function resetTrainersAfterEach(): void {
  afterEach(async () => {
    await current?.reset();
    current = null;
  });
}

/** A trainer API (reset after the test), its events, and an init with automatic evaluation off. */
export function setup(storage = memoryStorage(), decode = fakeDecode, more: Partial<TrainerEnv> = {}) {
  const events: WorkerEvent[] = [];
  const api = createTrainerApi({
    selectBackend: async () => ({
      name: 'cpu',
      available: ['cpu'],
      adapter: 'CPU',
      isSoftware: false,
      threads: null,
      simd: null,
      note: '',
    }),
    decoders: () => ({ decode, parallel: 4 }),
    gpuBytes: () => null,
    deviceLost: () => null,
    storage,
    ...more,
  });
  current = api;
  const init = async (options: InitOptions = {}) => {
    const result = await api.init(config, (e) => events.push(e), { dataset: 'patterns', ...options }); // the page opens on the digits; these tests use the patterns
    api.setEvalEvery(0); // the evaluation tests turn it on
    return result;
  };
  return { api, events, init };
}

/** Polls the run status until `predicate` holds (a generous cap: CPU steps take milliseconds). */
export async function until(api: TrainerApi, predicate: (s: RunStatus) => boolean, timeoutMs = 120_000): Promise<RunStatus> {
  const start = Date.now();
  for (;;) {
    const status = api.status();
    if (predicate(status)) return status;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out in phase ${status.phase} at step ${status.step}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
