// Is a run learning? Trains one run on a built-in set in Node (no browser) and evaluates it as the
// page's quality panel does (the worker's own Evaluator: kNN and linear probe of the target encoder
// on the held-out split beside the random-init encoder's and the raw pixels', feature std, RankMe)
// every LEARN_EVERY steps and when LEARN_MINUTES of training have passed. It prints figures and never
// fails. Each run is kept in bench/results/learning/<set>-<preset>-<name>-seed<N>.json; the sweep
// (./learningSweep.bench.ts) runs many and writes the table bench/results/learning.md.
// Run: npm run bench:learning, with
//   LEARN_DATASET=patterns|digits|cifar10|fashion (the last two: real sets never tuned on, built by
//   `npm run bench:data`)  LEARN_PRESET=tiny  LEARN_RECIPE=browser|reference (the page's
//   default recipe, or the reference's settings)  LEARN_SEED=0  LEARN_MINUTES=10 (training time,
//   evaluations not counted)  LEARN_STEPS (a cap)  LEARN_EVERY=250  LEARN_STEPS_PER_SEC (the speed the
//   page would have measured for the browser recipe's model: it plans the run; default: measured here
//   on 20 steps)
//   LEARN_PER_CLASS (images per class; the page's by default)  LEARN_BACKEND=wasm|cpu
//   LEARN_CONFIG='{"lr":3e-4}' (fields laid over the recipe, as JSON)  LEARN_NAME (the file's variant
//   name; default: the recipe, plus "custom" with LEARN_CONFIG)  LEARN_EVAL_CONTEXT=1 (also evaluate the
//   context encoder, which the target encoder averages with a lag: how much of a short run's figures
//   is that lag)
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { presetConfig, type PresetName } from '../src/ijepa/config';
import { browserModel, recipeConfig, type RecipeName } from '../src/ijepa/recipe';
import * as tf from '../src/ijepa/tf';
import { disposeTrainer } from '../src/ijepa/trainStep';
import { builtinSet, builtinSetRun } from '../src/test/sampleRun';
import { heldOutSet, HELD_OUT_SETS } from './learningSets';
import type { BuiltinSet, PixelBaseline } from '../src/worker/protocol';
import type { EvalRecord } from '../src/ijepa/diagnostics';
import { Evaluator } from '../src/worker/evaluation/evaluator';

const env = process.env;
const number = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : Number(env[name]));
const percent = (x: number | null | undefined) => (x == null ? '–' : `${(100 * x).toFixed(1)}%`);
const SPEED_STEPS = 20; // steps timed (after 3 warm-up steps) to plan a browser-recipe run without LEARN_STEPS_PER_SEC

it(
  'learning on a built-in set',
  async () => {
    await tf.setBackend(env.LEARN_BACKEND ?? 'wasm');
    const dataset = env.LEARN_DATASET ?? 'patterns';
    const preset = (env.LEARN_PRESET ?? 'tiny') as PresetName;
    const recipe = (env.LEARN_RECIPE ?? 'browser') as RecipeName;
    const seed = number('LEARN_SEED') ?? 0;
    const minutes = number('LEARN_MINUTES') ?? 10;
    const maxSteps = number('LEARN_STEPS') ?? Infinity;
    const every = number('LEARN_EVERY') ?? 250;
    const overrides = env.LEARN_CONFIG ? JSON.parse(env.LEARN_CONFIG) : {};
    const name = env.LEARN_NAME ?? (env.LEARN_CONFIG ? `${recipe}-custom` : recipe);

    const base = presetConfig(preset, { seed });
    const data = HELD_OUT_SETS.includes(dataset)
      ? heldOutSet(dataset, base.cropSize)
      : await builtinSet(base.cropSize, dataset as BuiltinSet, number('LEARN_PER_CLASS'));
    // The speed the recipe plans with: given, or measured here on a throwaway trainer of the model the
    // browser recipe trains (as the page's startup measurement times it).
    let stepsPerSec = number('LEARN_STEPS_PER_SEC');
    if (stepsPerSec === undefined) {
      const probe = await builtinSetRun(browserModel(base), undefined, undefined, data);
      for (let i = 0; i < 3; i++) await probe.step();
      const started = performance.now();
      for (let i = 0; i < SPEED_STEPS; i++) await probe.step();
      stepsPerSec = (1000 * SPEED_STEPS) / (performance.now() - started);
      disposeTrainer(probe.trainer);
    }
    const images = data.split.train.length;
    const config = { ...recipeConfig(base, recipe, { stepsPerSec }), ...overrides };
    // every evaluation on all held-out images, however busy the machine (the page keeps each to ~15 s of
    // embedding on a slow backend, which would make the figures depend on the load)
    const run = await builtinSetRun(config, undefined, undefined, data, Infinity);
    console.log(
      `${dataset}, ${preset}, ${name}: ${config.batchSize} images/step, ${config.totalSteps} planned steps (${stepsPerSec.toFixed(2)} steps/s), ` +
        `lr ${config.lr}, ema ${config.ema.join('-')}, crop ${config.cropScale.join('-')}, seed ${seed}, ${tf.getBackend()}; ` +
        `${run.split.train.length} training / ${run.split.heldOut.length} held-out images; ${minutes} min of training`,
    );
    const contextEvaluator = env.LEARN_EVAL_CONTEXT
      ? new Evaluator(
          () => run.store,
          () => run.split,
          Infinity,
        )
      : null;
    const evaluations: {
      step: number;
      seconds: number;
      loss: number | null;
      record: EvalRecord;
      baseline: EvalRecord;
      context?: EvalRecord; // the context encoder's (LEARN_EVAL_CONTEXT)
    }[] = [];
    let pixels: PixelBaseline | null = null;
    let trainingMs = 0;
    let lossSum = 0;
    let lossSteps = 0;
    const evaluate = async () => {
      const loss = lossSteps > 0 ? lossSum / lossSteps : null;
      const { record, baseline, pixels: p } = await run.evaluate(loss);
      pixels ??= p;
      const seconds = trainingMs / 1000;
      const model = run.trainer.model;
      const context = contextEvaluator
        ? (await contextEvaluator.evaluate({ ...model, targetEncoder: model.encoder }, run.trainer.step)).record
        : undefined;
      evaluations.push({ step: run.trainer.step, seconds, loss, record, baseline, context });
      console.log(
        `step ${run.trainer.step} (${seconds.toFixed(0)} s): loss ${loss?.toFixed(4) ?? '–'}  kNN ${percent(record.knn)} (random ${percent(baseline.knn)}, pixels ${percent(p?.knn)})  ` +
          `probe ${percent(record.probeTest)} (random ${percent(baseline.probeTest)}, pixels ${percent(p?.probeTest)})  std ${record.featureStd.toFixed(3)}  ` +
          `RankMe centred ${record.rankMeCentred.toFixed(2)}` +
          (context ? `  context encoder: kNN ${percent(context.knn)} probe ${percent(context.probeTest)}` : ''),
      );
      lossSum = 0;
      lossSteps = 0;
    };
    await evaluate();
    while (run.trainer.step < Math.min(maxSteps, config.totalSteps) && trainingMs < minutes * 60_000) {
      const started = performance.now();
      lossSum += await run.step();
      trainingMs += performance.now() - started;
      lossSteps++;
      if (run.trainer.step % every === 0) await evaluate();
    }
    if (run.trainer.step % every !== 0) await evaluate();
    disposeTrainer(run.trainer);
    mkdirSync('bench/results/learning', { recursive: true });
    const file = `bench/results/learning/${dataset}-${preset}-${name}-seed${seed}.json`;
    const result = {
      dataset,
      preset,
      recipe,
      name,
      seed,
      backend: tf.getBackend(),
      stepsPerSec,
      minutes,
      images,
      config,
      pixels,
      evaluations,
    };
    writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
    console.log(`kept in ${file}`);
  },
  24 * 60 * 60_000,
);
