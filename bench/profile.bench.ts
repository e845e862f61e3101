// One training step's kernels in Node, as `tf.profile` lists them (the table of issue "A faster step"):
// median step time, kernel calls and the top kernels with their share of the kernel time, and (with
// PROFILE_DETAIL=Transpose,Slice) each call of the named kernels by shape. No browser needed.
// Run: npm run bench:profile   PROFILE_PRESET=micro|tiny|small  PROFILE_BACKEND=wasm|cpu  (WASM runs
// one thread in Node; the page's threads are measured by `npm run bench`)  PROFILE_RECIPE=browser (the
// model the page's default recipe trains from the preset: its wider, deeper predictor)
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'vitest';
import { presetConfig, type PresetName } from '../src/ijepa/config';
import { browserModel } from '../src/ijepa/recipe';
import * as tf from '../src/ijepa/tf';
import { createTrainer, disposeTrainer, nextMasks, trainStep } from '../src/ijepa/trainStep';

const env = process.env;

test('profile of one training step', async () => {
  await tf.setBackend(env.PROFILE_BACKEND ?? 'wasm');
  const preset = (env.PROFILE_PRESET ?? 'tiny') as PresetName;
  const config = env.PROFILE_RECIPE === 'browser' ? browserModel(presetConfig(preset)) : presetConfig(preset);
  const trainer = createTrainer(config);
  const images = tf.randomUniform([config.batchSize, config.cropSize, config.cropSize, 3]) as tf.Tensor4D;
  const step = () => trainStep(trainer, images, nextMasks(trainer));
  const firstStarted = performance.now();
  await step(); // the first step: its WASM heap grows to the step's peak, every page of it touched afresh
  const firstMs = performance.now() - firstStarted;
  await step(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await step();
    times.push(performance.now() - started);
  }
  const info = await tf.profile(async () => {
    await step();
  });
  const byName = new Map<string, { ms: number; calls: number }>();
  const byShape = new Map<string, { ms: number; calls: number }>();
  const detail = (env.PROFILE_DETAIL ?? '').split(',');
  for (const k of info.kernels) {
    const ms = k.kernelTimeMs as number;
    const add = (map: typeof byName, key: string) => {
      const entry = map.get(key) ?? { ms: 0, calls: 0 };
      map.set(key, { ms: entry.ms + ms, calls: entry.calls + 1 });
    };
    add(byName, k.name);
    if (detail.includes(k.name)) add(byShape, `${k.name} ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)}`);
  }
  const median = [...times].sort((a, b) => a - b)[2];
  const model = `${preset}${env.PROFILE_RECIPE === 'browser' ? ` (browser recipe: predictor ${config.predEmbedDim} wide, ${config.predDepth} blocks)` : ''}`;
  const lines = [
    `${model} on ${tf.getBackend()}: median ${median.toFixed(0)} ms per step (the first ${firstMs.toFixed(0)} ms), ${info.kernels.length} kernel calls`,
    '',
  ];
  lines.push('| kernel | ms | calls | share of the step |', '|---|---|---|---|');
  for (const [name, { ms, calls }] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    lines.push(`| ${name} | ${ms.toFixed(1)} | ${calls} | ${((100 * ms) / median).toFixed(1)}% |`);
  for (const [key, { ms, calls }] of [...byShape].sort((a, b) => b[1].ms - a[1].ms)) lines.push(`${ms.toFixed(1)} ms, ${calls}x ${key}`);
  console.log(lines.join('\n'));
  images.dispose();
  disposeTrainer(trainer);
}, 600_000);
