// The worker's API driven directly in Node (CPU backend), without a Worker: the run control and
// dataset behaviour the page relies on.
import { describe, expect, it } from 'vitest';
import * as tf from '../ijepa/tf';
import { heldOutSplit } from '../data/split';
import { config, delayedDecode, fakeDecode, labelledFiles, resetTrainersAfterEach, setup, until } from '../test/trainerHarness';
import { memoryStorage } from './run/persistence';
import { shouldPrecompile } from './backends/precompile';
import { trainingStoppedMessage } from './run/telemetry';

resetTrainersAfterEach();

describe('trainer API (worker module, CPU backend)', () => {
  it('opens on the built-in sample set with six labelled classes', async () => {
    const { init } = setup();
    const { dataset, status, backend } = await init();
    expect(backend.name).toBe('cpu');
    expect(status).toMatchObject({ phase: 'idle', step: 0, totalSteps: 50 });
    expect(dataset.source).toBe('patterns');
    expect(dataset.count).toBe(1800);
    expect(dataset.classes.map((c) => c.count)).toEqual([300, 300, 300, 300, 300, 300]);
    expect(dataset.bytes).toBe(1800 * 32 * 32 * 3);
    expect(dataset.thumbnails.length).toBe(24);
    expect(new Set(dataset.thumbnails.map((t) => t.label)).size).toBe(6);
  });

  it('imports files with labels from folders and lists every skipped file', async () => {
    const { api, events, init } = setup();
    await init();
    const file = (name: string, size = 10) => new File([new Uint8Array(size)], name);
    const added = await api.addFiles(
      [
        { file: file('a.png'), path: 'set/cats/a.png' },
        { file: file('b.png'), path: 'set/cats/deep/b.png' },
        { file: file('c.jpg'), path: 'set/dogs/c.jpg' },
        { file: file('notes.txt'), path: 'set/notes.txt' },
        { file: file('broken.jpg'), path: 'set/dogs/broken.jpg' },
      ],
      ['set/locked.png'],
    );
    expect(added).toBe(3);
    const summary = api.datasetSummary();
    expect(summary.source).toBe('files'); // the first import replaced the sample set
    expect(summary.classes).toEqual([
      { name: 'cats', count: 2 },
      { name: 'dogs', count: 1 },
    ]);
    expect(summary.skipped).toEqual([
      { path: 'set/locked.png', reason: 'unreadable' },
      { path: 'set/notes.txt', reason: 'not an image' },
      { path: 'set/dogs/broken.jpg', reason: 'could not decode' },
    ]);
    const last = events.filter((e) => e.type === 'import').pop();
    expect(last).toMatchObject({ progress: { running: false, done: 5, total: 5 } });
    await api.addFiles([{ file: file('d.png'), path: 'more/x/d.png' }]);
    expect(api.datasetSummary().count).toBe(4); // appends
  });

  it('keeps the sample set when no file of a folder can be used, and lists a file picked twice once', async () => {
    const { api, init } = setup();
    await init();
    const broken = [
      { file: new File([new Uint8Array(3)], 'broken.png'), path: 'set/a/broken.png' },
      { file: new File(['hi'], 'notes.txt'), path: 'set/notes.txt' },
    ];
    expect(await api.addFiles(broken)).toBe(0);
    expect(await api.addFiles(broken)).toBe(0); // the same files again
    const summary = api.datasetSummary();
    expect(summary).toMatchObject({ source: 'patterns', count: 1800 });
    expect(summary.skipped).toEqual([
      { path: 'set/a/broken.png', reason: 'could not decode' },
      { path: 'set/notes.txt', reason: 'not an image' },
    ]);
    // the first usable image replaces the sample set; the skip list stays
    expect(await api.addFiles([{ file: new File([new Uint8Array(5)], 'ok.png'), path: 'set/a/ok.png' }])).toBe(1);
    expect(api.datasetSummary()).toMatchObject({ source: 'files', count: 1 });
    expect(api.datasetSummary().skipped.length).toBe(2);
  });

  it('cancels an import between files, keeping what was decoded and nothing after', async () => {
    const { api, events, init } = setup(memoryStorage(), delayedDecode(25));
    await init();
    const files = Array.from({ length: 40 }, (_, i) => ({ file: new File([new Uint8Array(i + 1)], `${i}.png`), path: `set/a/${i}.png` }));
    const importing = api.addFiles(files);
    await new Promise((r) => setTimeout(r, 60)); // a group or two of 4 land (of 10)
    api.cancelImport();
    const added = await importing;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(40);
    expect(api.datasetSummary().count).toBe(added);
    const progress = events.flatMap((e) => (e.type === 'import' ? [e.progress] : []));
    expect(progress[progress.length - 1]).toMatchObject({ running: false, total: 40 });
  });

  it('decodes on every decoder at once, and adds the images in file order', async () => {
    let inFlight = 0;
    let most = 0;
    const unevenDecode = async (file: File, side: number) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, file.size % 3 === 0 ? 30 : 2)); // they finish out of order
      inFlight--;
      return fakeDecode(file, side);
    };
    const { api, events, init } = setup(memoryStorage(), unevenDecode);
    await init();
    const files = Array.from({ length: 24 }, (_, i) => ({ file: new File([new Uint8Array(i + 1)], `${i}.png`), path: `set/a/${i}.png` }));
    await api.addFiles(files);
    expect(most).toBe(8); // 4 decoders, each with its next file waiting
    const summary = api.datasetSummary();
    expect(summary.count).toBe(24);
    expect(summary.thumbnails.map((t) => t.rgb[0])).toEqual(Array.from({ length: 24 }, (_, i) => i + 1)); // file order
    expect(events.flatMap((e) => (e.type === 'import' ? [e.progress.decoders] : []))[0]).toBe(4);
  });

  it('trains on what is decoded while the rest of a folder streams in, never on a held-out image', async () => {
    const { api, events, init } = setup(memoryStorage(), delayedDecode(15));
    await init();
    api.setEvalEvery(0);
    const files = labelledFiles(['a', 'b'], 60);
    const importing = api.addFiles(files);
    while (api.datasetSummary().count < 8) await new Promise((r) => setTimeout(r, 5));
    api.start();
    await until(api, (s) => s.step >= 3);
    const trainedDuringImport = api.datasetSummary().count < files.length;
    await importing;
    api.pause();
    await until(api, (s) => s.phase === 'paused');
    expect(trainedDuringImport).toBe(true);
    const used = new Set(events.flatMap((e) => (e.type === 'metrics' ? e.update.masks.flatMap((m) => m.imageIndices) : [])));
    const labels = Array.from({ length: files.length }, (_, i) => (i < 60 ? 0 : 1));
    expect(heldOutSplit(labels).heldOut.filter((i) => used.has(i))).toEqual([]); // the split is stable as images arrive
    expect(events.some((e) => e.type === 'dataset' && e.summary.count > 0 && e.summary.count < files.length)).toBe(true); // the page saw it grow
  });

  it('trains, pauses, steps exactly one, resets, and reports live metrics', async () => {
    const { api, events, init } = setup();
    await init();
    api.start();
    expect(api.status().phase).toBe('compiling');
    await until(api, (s) => s.step >= 3);
    api.pause();
    await until(api, (s) => s.phase === 'paused'); // 'pausing' first while a step in flight lands
    const base = api.status().step;
    await new Promise((r) => setTimeout(r, 300));
    expect(api.status().step).toBe(base); // paused: the counter stands still
    api.step();
    await until(api, (s) => s.phase === 'paused' && s.step === base + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(api.status().step).toBe(base + 1); // exactly one
    const metrics = events.flatMap((e) => (e.type === 'metrics' ? e.update.records : []));
    expect(metrics.map((r) => r.step)).toEqual(Array.from({ length: base + 1 }, (_, i) => i));
    expect(metrics.every((r) => Number.isFinite(r.loss) && r.lr > 0 && r.momentum >= 0.996)).toBe(true);
    expect(api.status().compileMs).toBeGreaterThan(0);
    // every step's masks come with the predictor's view of image 0
    const masks = events.flatMap((e) => (e.type === 'metrics' ? e.update.masks : []));
    expect(masks.map((m) => m.step)).toEqual(metrics.map((r) => r.step));
    for (const m of masks) {
      expect(m.prediction).toMatchObject({ image: 0, tokens: m.targetTokens, numTargets: 4 });
      expect(m.prediction!.computeMs).toBeGreaterThan(0);
    }
    await api.reset();
    expect(api.status()).toMatchObject({ phase: 'idle', step: 0 });
    expect(events.some((e) => e.type === 'reset')).toBe(true);
  });

  it('never trains on the held-out images', async () => {
    const { api, events, init } = setup();
    await init();
    api.start();
    await until(api, (s) => s.step >= 30);
    api.pause();
    await until(api, (s) => s.phase === 'paused');
    const used = new Set(events.flatMap((e) => (e.type === 'metrics' ? e.update.masks.flatMap((m) => m.imageIndices) : [])));
    const labels = Array.from({ length: 1800 }, (_, i) => i % 6); // the sample set interleaves its 6 classes
    const heldOut = heldOutSplit(labels).heldOut;
    expect(used.size).toBeGreaterThan(100);
    expect(heldOut.filter((i) => used.has(i))).toEqual([]);
  });

  it('pauses with a message on a NaN loss, keeping the last good step', async () => {
    const { api, init } = setup();
    await init();
    api.step();
    await until(api, (s) => s.phase === 'paused' && s.step === 1);
    api.testPoisonNextStep();
    api.start();
    const status = await until(api, (s) => s.phase === 'paused' && s.message !== '');
    expect(status.step).toBe(1);
    expect(status.message).toMatch(/loss became NaN at step 1.*still those of step 1/);
  });

  it('refuses settings changes during a run, and bad settings, with readable errors', async () => {
    const { api, init } = setup();
    await init();
    await expect(api.configure({ ...config, cropSize: 30 })).rejects.toThrow(/not divisible by the patch size/);
    api.step();
    await expect(api.configure({ ...config, lr: 0.002 })).rejects.toThrow(/Pause or reset/);
    await until(api, (s) => s.phase === 'paused' && s.step === 1);
    await api.configure(config); // the same settings again (the page's form, late): the run stays
    expect(api.status()).toMatchObject({ phase: 'paused', step: 1 });
    await api.reset();
    await api.configure({ ...config, cropSize: 24, minKeep: 2 });
    expect(api.datasetSummary().side).toBe(24); // the sample set is drawn again at the new size
  });

  it("times steps for the page's startup measurement, then trains on the same backend with nothing left over", async () => {
    const { api, init } = setup();
    const tensors = tf.memory().numTensors;
    expect((await api.probe.start('cpu')).name).toBe('cpu');
    const times: number[] = [];
    await api.probe.timeSteps('micro', 8, { maxSteps: 2, enoughMs: 1 }, (ms) => times.push(ms));
    expect(times).toHaveLength(2); // the first step, then one more (enoughMs is spent)
    expect(times.every((ms) => ms > 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors); // the throwaway run is gone
    await init();
    await api.step();
    expect((await until(api, (s) => s.step >= 1 && s.phase === 'paused')).step).toBe(1);
  });

  it('starts its first step once the memory a step needs is ready (grown on another thread beside the set-up)', async () => {
    let warmed: (touched: boolean) => void = () => {};
    const asked: number[] = [];
    const warmHeap = (bytes: number) => (asked.push(bytes), new Promise<boolean>((resolve) => (warmed = resolve)));
    const { api, init } = setup(undefined, undefined, { warmHeap });
    await init({ warmHeapBytes: 380e6 });
    expect(asked).toEqual([380e6]);
    await api.step();
    await new Promise((r) => setTimeout(r, 300));
    expect(api.status()).toMatchObject({ step: 0, phase: 'compiling' }); // waiting for the memory
    warmed(true);
    expect((await until(api, (s) => s.step >= 1 && s.phase === 'paused')).step).toBe(1);
  });

  it('says the dataset is empty instead of training on nothing', async () => {
    const { api, init } = setup();
    await init();
    api.clearDataset();
    api.start();
    expect(api.status()).toMatchObject({ phase: 'error', message: expect.stringMatching(/dataset is empty/) });
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('shader precompilation', () => {
  const backend = (name: 'webgpu' | 'wasm', isSoftware: boolean) => ({
    name,
    available: [name],
    adapter: 'x',
    isSoftware,
    threads: null,
    simd: null,
    note: '',
  });
  it('is done on hardware WebGPU adapters only (it saved nothing reliably on SwiftShader)', () => {
    expect(shouldPrecompile(backend('webgpu', false))).toBe(true);
    expect(shouldPrecompile(backend('webgpu', true))).toBe(false);
    expect(shouldPrecompile(backend('wasm', false))).toBe(false);
  });
});

describe('a training loop that dies', () => {
  it('says the WASM backend ran out of memory instead of its bare "Aborted()"', () => {
    const aborted = new Error('Aborted(). Build with -sASSERTIONS for more info.');
    expect(trainingStoppedMessage(aborted, 'wasm')).toMatch(
      /WASM backend ran out of memory.*Press Restart, then choose a smaller preset or batch size, or use WebGPU/,
    );
    expect(trainingStoppedMessage(aborted, 'cpu')).toBe('Training stopped: Aborted(). Build with -sASSERTIONS for more info.');
    expect(trainingStoppedMessage('device lost', 'webgpu')).toBe('Training stopped: device lost');
  });
});
