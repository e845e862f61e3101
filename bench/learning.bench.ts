// Is a short run learning? Trains on a built-in set in Node (no browser) and prints, every
// few steps, what the page's quality panel shows: the target encoder's kNN and linear-probe
// accuracy on the held-out split beside the random-init encoder's, feature std and RankMe. The same
// Evaluator as the worker's. It prints figures and never fails: it is for finding a run that learns.
// Each run's evaluations are kept in bench/results/learning-<dataset>-<preset>-seed<seed>.json.
// Run: npm run bench:learning
//   LEARN_DATASET=patterns|digits (the procedural set, or the bundled MNIST digits)  LEARN_PRESET=micro  LEARN_STEPS=1000  LEARN_BATCH (the preset's)  LEARN_TOTAL (planned steps,
//   the schedules' length; the preset's)  LEARN_LR  LEARN_SEED=0  LEARN_EVERY=250
//   LEARN_PER_CLASS (images per class, the page's 300 by default; every 5th is held out)
//   LEARN_BACKEND=cpu|wasm (wasm is about 5x faster in Node; the fused kernels exist on cpu only)
//   LEARN_CONFIG='{"predDepth":2}' (any other config fields, as JSON)
import '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { presetConfig, warmupFor, type PresetName } from '../src/ijepa/config';
import * as tf from '../src/ijepa/tf';
import { disposeTrainer } from '../src/ijepa/trainStep';
import { builtinSetRun } from '../src/test/sampleRun';
import type { BuiltinSet } from '../src/worker/protocol';

const env = process.env;
const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]));
const percent = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);

it(
  'learning on a built-in set',
  async () => {
    await tf.setBackend(env.LEARN_BACKEND ?? 'cpu');
    const preset = (env.LEARN_PRESET ?? 'micro') as PresetName;
    const base = presetConfig(preset);
    const totalSteps = number('LEARN_TOTAL') ?? base.totalSteps;
    const config = presetConfig(preset, {
      batchSize: number('LEARN_BATCH') ?? base.batchSize,
      totalSteps,
      warmupSteps: warmupFor(totalSteps),
      lr: number('LEARN_LR') ?? base.lr,
      seed: number('LEARN_SEED') ?? 0,
      ...(env.LEARN_CONFIG ? JSON.parse(env.LEARN_CONFIG) : {}),
    });
    const steps = number('LEARN_STEPS') ?? 1000;
    const every = number('LEARN_EVERY') ?? 250;
    const dataset = (env.LEARN_DATASET ?? 'patterns') as BuiltinSet;
    const run = await builtinSetRun(config, dataset, number('LEARN_PER_CLASS'));
    const evaluations = [];
    console.log(
      `${dataset}: ${config.batchSize} images/step, ${steps} of ${totalSteps} planned steps, lr ${config.lr}, seed ${config.seed}, ${tf.getBackend()} backend; ` +
        `${run.split.train.length} training / ${run.split.heldOut.length} held-out images`,
    );
    const started = performance.now();
    let lossSum = 0;
    while (run.trainer.step < steps) {
      lossSum += await run.step();
      if (run.trainer.step % every !== 0) continue;
      const { record, baseline } = await run.evaluate();
      evaluations.push({ step: run.trainer.step, loss: lossSum / every, record, baseline, seconds: (performance.now() - started) / 1000 });
      console.log(
        `step ${run.trainer.step}: loss ${(lossSum / every).toFixed(4)}  kNN ${percent(record.knn)} (random ${percent(baseline.knn)})  ` +
          `probe ${percent(record.probeTest)} (random ${percent(baseline.probeTest)})  std ${record.featureStd.toFixed(3)}  ` +
          `RankMe centred ${record.rankMeCentred.toFixed(2)}  ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      lossSum = 0;
    }
    disposeTrainer(run.trainer);
    const file = `bench/results/learning-${dataset}-${preset}-seed${config.seed}.json`;
    writeFileSync(file, JSON.stringify({ dataset, preset, backend: tf.getBackend(), config, evaluations }, null, 1) + '\n');
    console.log(`kept in ${file}`);
  },
  24 * 60 * 60_000,
);
