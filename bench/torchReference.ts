// The PyTorch reference's step on this machine (bench/torch_step.py), for `npm run bench` to set beside
// the page's WASM step in the same run: BENCH_TORCH=/path/to/a/checkout/of/facebookresearch/ijepa.
// The reference runs at its best here: torch's threads and OpenBLAS' threads are tried in the
// combinations that do not oversubscribe the cores, before and after the page's measurement (a shared
// machine's speed drifts), and the fastest is the figure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { presetConfig, type PresetName } from '../src/ijepa/config';
import { backendLabel, type BenchReport } from '../src/bench/report';

export interface TorchStep {
  preset: PresetName;
  when: 'before' | 'after';
  torchThreads: number;
  blasThreads: number;
  torch: string;
  blas: string; // the libblas.so.3 Debian's alternatives point to (OpenBLAS once it is installed)
  medianStepMs: number;
}

/** Debian's `python3-torch` is in the system Python, which a pyenv or venv `python3` may shadow. */
const python = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function runOnce(ijepa: string, preset: PresetName, torchThreads: number, blasThreads: number, steps: number): Omit<TorchStep, 'when'> {
  const run = spawnSync(
    python,
    [
      'bench/torch_step.py',
      '--ijepa',
      ijepa,
      '--config',
      JSON.stringify(presetConfig(preset)),
      '--threads',
      String(torchThreads),
      '--steps',
      String(steps),
    ],
    { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads), OMP_NUM_THREADS: String(torchThreads) } },
  );
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{')) throw new Error(`bench/torch_step.py failed (${python}):\n${run.stderr.slice(-2000)}`);
  const result = JSON.parse(last) as { torch: string; blas: string; medianStepMs: number };
  return { preset, torchThreads, blasThreads, torch: result.torch, blas: result.blas, medianStepMs: result.medianStepMs };
}

/** Every thread layout that keeps to the cores: torch's intra-op threads over single-threaded BLAS
 *  calls, or one torch thread over a BLAS that splits each call. */
export function torchSteps(ijepa: string, preset: PresetName, when: TorchStep['when'], steps: number): TorchStep[] {
  const cores = cpus().length;
  const layouts = [...new Set([`1,1`, `${cores},1`, `1,${cores}`])].map((l) => l.split(',').map(Number));
  return layouts.map(([torchThreads, blasThreads]) => ({ ...runOnce(ijepa, preset, torchThreads, blasThreads, steps), when }));
}

/** The comparison: every reference run, then the page's WASM step over the fastest of them. */
export function torchMarkdown(report: BenchReport, runs: TorchStep[]): string {
  const lines = [
    '',
    '## The PyTorch reference on the same machine, in the same run',
    '',
    `\`bench/torch_step.py\`: the reference's own model classes, mask collator and optimizer (torch ${runs[0]?.torch}, Debian's \`python3-torch\`; BLAS: \`${runs[0]?.blas}\`), one \`train_step\` of src/train.py in float32 on synthetic images, median of ${report.steps} steps; before and after the page's measurement.`,
    '',
    '| preset | when | torch threads | BLAS threads | ms/step |',
    '|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.preset} | ${r.when} | ${r.torchThreads} | ${r.blasThreads} | ${r.medianStepMs.toFixed(1)} |`),
    '',
  ];
  for (const preset of new Set(runs.map((r) => r.preset))) {
    const best = Math.min(...runs.filter((r) => r.preset === preset).map((r) => r.medianStepMs));
    for (const cell of report.cells.filter((c) => c.preset === preset && c.backend === 'wasm' && c.bare)) {
      const ms = cell.bare!.medianStepMs;
      lines.push(
        `- ${preset}: the page's step on ${backendLabel('wasm', cell.bare!.threads)}, fused, ${ms.toFixed(1)} ms against the reference's fastest ${best.toFixed(1)} ms: **${(ms / best).toFixed(2)}x**`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
