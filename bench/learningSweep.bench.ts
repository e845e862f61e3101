// The learning study: runs bench/learning.bench.ts for every cell of a sweep (set x preset x recipe x
// seed), LEARN_JOBS at a time in child processes, then writes bench/results/learning.md from every
// kept run (./learningTable.ts). Cells already kept are not rerun (LEARN_RERUN=1 reruns them).
// Run: LEARN_SWEEP='{"datasets":["digits","patterns"],"presets":["tiny"],"recipes":["browser","reference"],
//   "seeds":[0,1,2],"minutes":10}' LEARN_JOBS=2 npm run bench:learning:sweep
// Other sweep fields: "every" (steps between evaluations), "stepsPerSec" (the speed the page measured,
// per preset: {"tiny": 2.8}), "config" and "name" (one variant's fields and file name). Only the table:
// LEARN_SWEEP='{}' npm run bench:learning:sweep
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { learningTable, readRuns } from './learningTable';

interface Sweep {
  datasets?: string[];
  presets?: string[];
  recipes?: string[];
  seeds?: number[];
  minutes?: number;
  every?: number;
  stepsPerSec?: Record<string, number>;
  config?: Record<string, unknown>;
  name?: string;
}

function runCell(cell: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', '--config', 'bench/vitest.learning.config.ts', 'bench/learning.bench.ts'], {
      env: { ...process.env, ...cell },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const raw of chunk.toString().split('\n')) {
        const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim(); // without the colour codes
        if (/^(\S+, \S+, |step |kept in)/.test(line)) console.log(line);
      }
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

it(
  'learning sweep',
  async () => {
    const sweep = JSON.parse(process.env.LEARN_SWEEP ?? '{}') as Sweep;
    const cells: Record<string, string>[] = [];
    for (const dataset of sweep.datasets ?? [])
      for (const preset of sweep.presets ?? ['tiny'])
        for (const recipe of sweep.recipes ?? ['browser'])
          for (const seed of sweep.seeds ?? [0]) {
            const name = sweep.name ?? recipe;
            if (!process.env.LEARN_RERUN && existsSync(`bench/results/learning/${dataset}-${preset}-${name}-seed${seed}.json`)) continue;
            cells.push({
              LEARN_DATASET: dataset,
              LEARN_PRESET: preset,
              LEARN_RECIPE: recipe,
              LEARN_SEED: String(seed),
              LEARN_MINUTES: String(sweep.minutes ?? 10),
              LEARN_EVERY: String(sweep.every ?? 250),
              LEARN_NAME: name,
              LEARN_STEPS_PER_SEC: String(sweep.stepsPerSec?.[preset] ?? ''),
              LEARN_CONFIG: sweep.config ? JSON.stringify(sweep.config) : '',
            });
          }
    const jobs = Number(process.env.LEARN_JOBS ?? 2);
    const queue = [...cells];
    await Promise.all(
      Array.from({ length: Math.min(jobs, queue.length) }, async () => {
        for (let cell = queue.shift(); cell; cell = queue.shift()) {
          const code = await runCell(cell);
          if (code !== 0) console.log(`cell ${JSON.stringify(cell)} exited with ${code}`);
        }
      }),
    );
    const table = learningTable(readRuns('bench/results/learning'));
    writeFileSync('bench/results/learning.md', table);
    console.log(table);
  },
  7 * 24 * 60 * 60_000,
);
