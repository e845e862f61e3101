// The step benchmark: opens the production build in `?bench` page mode, lets the page measure
// every chosen preset and backend, prints the table and writes JSON + Markdown to bench/results/.
// Run: npm run bench
//   BENCH_PRESETS=micro,tiny,small  BENCH_BACKENDS=webgpu,webgl,wasm,cpu (those available)
//   BENCH_STEPS=10  BENCH_WARMUP=2  BENCH_BUDGET_S=600 (per measurement; slower cells are reported
//   as over budget: on a software adapter `small` takes minutes per step)  BENCH_PLAIN=0 (skip the
//   plain-ops comparison, e.g. for a 1,000-step memory check)  BENCH_DECODER=1 (add the step with the pixel
//   decoder beside it)  BENCH_OUT=name (results file name)  BENCH_TORCH=/path/to/ijepa (a checkout of
//   the reference: its step in PyTorch on this machine, before and after the page's, beside the WASM
//   step: bench/torchReference.ts; BENCH_PYTHON picks the Python that has Debian's python3-torch)
import { mkdirSync, writeFileSync } from 'node:fs';
import { test } from '@playwright/test';
import { openApp, read } from '../e2e/app';
import type { PresetName } from '../src/ijepa/config';
import { benchMarkdown, type BenchReport } from '../src/bench/report';
import { torchMarkdown, torchSteps, type TorchStep } from './torchReference';

const env = process.env;
const params = new URLSearchParams({
  bench: '1',
  autorun: '1',
  testHooks: '1',
  presets: env.BENCH_PRESETS ?? 'micro,tiny,small',
  steps: env.BENCH_STEPS ?? '10',
  warmup: env.BENCH_WARMUP ?? '2',
  budget: env.BENCH_BUDGET_S ?? '600',
});
if (env.BENCH_BACKENDS) params.set('backends', env.BENCH_BACKENDS);
if (env.BENCH_PLAIN === '0') params.set('plain', '0');
if (env.BENCH_DECODER === '1') params.set('decoder', '1');

test('training step benchmark', async ({ page }) => {
  test.setTimeout(6 * 60 * 60_000);
  const torchPresets = params.get('presets')!.split(',') as PresetName[];
  const torchStepsNow = (when: TorchStep['when']) =>
    env.BENCH_TORCH ? torchPresets.flatMap((preset) => torchSteps(env.BENCH_TORCH!, preset, when, Number(params.get('steps')))) : [];
  const torchRuns = torchStepsNow('before');
  await openApp(page, params.toString());
  let report: BenchReport | null = null;
  let lastProgress = '';
  await test.expect
    .poll(
      async () => {
        const bench = await read(page, 'bench');
        if (bench.progress !== lastProgress) console.log(`[bench] ${(lastProgress = bench.progress)}`);
        report = bench.report;
        return !bench.running && bench.progress === 'Done.';
      },
      { timeout: 6 * 60 * 60_000, intervals: [1000] },
    )
    .toBe(true);
  const done = report as unknown as BenchReport;
  torchRuns.push(...torchStepsNow('after'));
  const markdown = benchMarkdown(done) + (torchRuns.length > 0 ? torchMarkdown(done, torchRuns) : '');
  console.log(`\n${markdown}`);
  mkdirSync('bench/results', { recursive: true });
  const name = `bench/results/${
    env.BENCH_OUT ??
    `step-${done.adapter
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()}`
  }`;
  writeFileSync(`${name}.json`, `${JSON.stringify(torchRuns.length > 0 ? { ...done, torch: torchRuns } : done, null, 2)}\n`);
  writeFileSync(`${name}.md`, markdown);
  console.log(`[bench] wrote ${name}.json and ${name}.md`);
});
