// The worker's API in Node (CPU backend): evaluations beside training, autosave and resume,
// checkpoint export and import.
import { describe, expect, it } from 'vitest';
import { labelledFiles, resetTrainersAfterEach, setup, until } from '../test/trainerHarness';
import { memoryStorage } from './run/persistence';

resetTrainersAfterEach();

describe('evaluation, checkpoints and resume (worker API, CPU backend)', () => {
  it('evaluates at step 0 and every N steps in slices between steps, beside one random-init baseline', async () => {
    const { api, events, init } = setup();
    await init();
    // three classes of 20 images (pixels differ by file size): 12 held out, 48 for the probes
    await api.addFiles(labelledFiles(['a', 'b', 'c'], 20));
    api.setEvalEvery(2);
    api.start();
    const quality = () => events.flatMap((e) => (e.type === 'quality' ? [e.update] : []));
    const started = Date.now();
    while (quality().length < 2 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    api.pause();
    await until(api, (s) => s.phase === 'paused');
    const updates = quality();
    expect(updates.map((u) => u.record.step)[0]).toBe(0);
    expect(updates[1].record.step).toBeGreaterThanOrEqual(2); // due at 2; later when step 0's was still running
    // training did not wait: the first step's metrics came before the step-0 evaluation's result
    const firstStep = events.findIndex((e) => e.type === 'metrics' && e.update.records.length > 0);
    expect(firstStep).toBeGreaterThanOrEqual(0);
    expect(firstStep).toBeLessThan(events.findIndex((e) => e.type === 'quality'));
    // progress was reported while it ran, and cleared when done
    expect(events.some((e) => e.type === 'evaluating' && e.progress !== null && e.progress.withBaseline && e.progress.step === 0)).toBe(
      true,
    );
    for (const u of updates) {
      expect(u.labelled).toBe(true);
      expect(u.record.knn).toBeGreaterThanOrEqual(0);
      expect(u.record.knn).toBeLessThanOrEqual(1);
      expect(u.record.probeTest).not.toBeNull();
      expect(u.record.rankMe).toBeGreaterThanOrEqual(1);
      expect(u.baseline).toEqual(updates[0].baseline); // one baseline per run
      expect(u.probeNote).toMatch(/3 classes; probes trained on 48 training images, tested on 12 held-out images/);
      expect(u.probeNote).toMatch(/on this many images moves by about ±\d+\.\d points/); // 12 images: a figure is rough
      expect(u.record.heldOut).toBe(12);
      expect(u.subset).toEqual({ images: 60, of: 60 });
    }
    const view = updates[0].patchView!;
    expect(view.grid).toBe(8);
    expect(view.pca.length).toBe(4 * 8 * 8 * 3); // four held-out images, one of each class first
    // the embedding map: one point per held-out image, the same images at every evaluation
    const map = updates[1].map!;
    expect(map.indices.length).toBe(12);
    expect(map.points.length).toBe(24);
    expect(Array.from(map.indices)).toEqual(Array.from(updates[0].map!.indices));
    expect(new Set(map.labels).size).toBe(3);
    expect(updates[1].classNames).toEqual(['a', 'b', 'c']);
    // neighbours of an embedded image: itself first, under both encoders; none for an unknown image
    const query = map.indices[0];
    const neighbours = (await api.neighbours(query, 5))!;
    expect(neighbours.step).toBe(updates[1].record.step);
    expect(neighbours.trained.map((n) => n.index)[0]).toBe(query);
    expect(neighbours.random.map((n) => n.index)[0]).toBe(query);
    expect(neighbours.trained.length).toBe(5);
    expect(neighbours.trained[0].similarity).toBeCloseTo(1, 5);
    expect(neighbours.trained[0].label).toBe(updates[1].classNames[map.labels[0]]);
    expect(await api.neighbours(10_000, 5)).toBeNull();
    await api.loadBuiltin('patterns'); // another dataset: the evaluation's features are not of its images
    expect(await api.neighbours(query, 5)).toBeNull();
  });

  it('pauses at once while an evaluation runs; the evaluation then finishes while paused', async () => {
    const { api, events, init } = setup();
    await init();
    await api.addFiles(labelledFiles(['a', 'b', 'c'], 20));
    api.setEvalEvery(100);
    api.start();
    await until(api, (s) => s.step >= 2);
    const lastProgress = () => events.flatMap((e) => (e.type === 'evaluating' ? [e.progress] : [])).pop();
    expect(lastProgress()).toMatchObject({ step: 0 }); // still under way, beside the steps
    api.pause();
    const paused = await until(api, (s) => s.phase === 'paused');
    const started = Date.now();
    while (!events.some((e) => e.type === 'quality') && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 10));
    expect(events.find((e) => e.type === 'quality')).toMatchObject({ update: { record: { step: 0 } } });
    expect(lastProgress()).toBeNull();
    expect(api.status()).toMatchObject({ phase: 'paused', step: paused.step });
  });

  it('turns the probes off without labels, with the reason, and keeps the diagnostics', async () => {
    const { api, events, init } = setup();
    await init();
    await api.addFiles(Array.from({ length: 12 }, (_, i) => ({ file: new File([new Uint8Array(i + 1)], `${i}.png`), path: `${i}.png` })));
    await api.evaluateNow();
    const update = events.flatMap((e) => (e.type === 'quality' ? [e.update] : [])).pop()!;
    expect(update.labelled).toBe(false);
    expect(update.record.knn).toBeNull();
    expect(update.probeNote).toMatch(/no class labels/);
    expect(update.record.featureStd).toBeGreaterThanOrEqual(0);
  });

  it('runs a Step pressed while the autosave of the previous pause is still being written', async () => {
    let release: () => void = () => {};
    const storage = memoryStorage();
    const slowStorage = {
      ...storage,
      save: async (bytes: Uint8Array, summary: Parameters<typeof storage.save>[1]) => {
        await new Promise<void>((resolve) => (release = resolve));
        return storage.save(bytes, summary);
      },
    };
    const { api, init } = setup(slowStorage);
    await init();
    api.step();
    await until(api, (s) => s.step === 1 && s.phase === 'paused');
    api.step(); // the autosave of the first pause has not finished
    release();
    await until(api, (s) => s.step === 2 && s.phase === 'paused');
    release();
  });

  it('autosaves on pause and resumes after a "reload" at the same step with the same history', async () => {
    const storage = memoryStorage();
    const first = setup(storage);
    await first.init();
    first.api.start();
    await until(first.api, (s) => s.step >= 3);
    first.api.pause();
    const paused = await until(first.api, (s) => s.phase === 'paused');
    await new Promise((r) => setTimeout(r, 200)); // the autosave after the pause
    const losses = first.events.flatMap((e) => (e.type === 'metrics' ? e.update.records.map((r) => r.loss) : []));
    expect((await first.api.savedRun())?.step).toBe(paused.step);
    await first.api.reset();

    const second = setup(storage); // a new page over the same IndexedDB
    await second.init();
    const restored = await second.api.resumeSavedRun();
    expect(restored.status.step).toBe(paused.step);
    expect(Array.from(restored.columns.loss)).toEqual(losses.map(Math.fround));
    second.api.step();
    await until(second.api, (s) => s.step === paused.step + 1 && s.phase === 'paused');
  });

  it('exports a checkpoint, imports it back at the same step, and names the first mismatch of a foreign file', async () => {
    const a = setup();
    await a.init();
    a.api.step();
    await until(a.api, (s) => s.step === 1 && s.phase === 'paused');
    const bytes = await a.api.exportCheckpoint('full');
    const b = setup();
    await b.init();
    const restored = await b.api.importCheckpoint(bytes);
    expect(restored.status.step).toBe(1);
    const target = await a.api.exportCheckpoint('target');
    await expect(b.api.importCheckpoint(target)).rejects.toThrow(/missing tensor 'encoder\.patch_embed\.proj\.weight'/);
    await b.api.reset();
  });
});
