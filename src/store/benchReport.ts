// The benchmark's report: one cell per (preset, backend), as JSON and as a small Markdown table.
// Shared by the `?bench` page and `npm run bench` (which writes both under bench/results/).
import type { PresetName } from '../ijepa/config';
import type { BareStepResult, FirstStep } from '../worker/benchmark';
import type { BackendName } from '../worker/protocol';

export interface AppLoop {
  steps: number; // steps timed (after compilation and warm-up)
  stepsPerSec: number; // the whole app: worker loop, masks, metrics, panels drawn
}

export interface BenchCell {
  preset: PresetName;
  backend: BackendName;
  bare: BareStepResult | null;
  precompiled: FirstStep | null; // time to first step with WEBGPU_ENGINE_COMPILE_ONLY (WebGPU)
  app: AppLoop | null;
  overheadRatio: number | null; // app steps/s over bare steps/s (1 = the app costs nothing)
  error: string | null; // why this cell is missing figures (over budget, backend absent, ...)
}

export interface BenchReport {
  date: string;
  userAgent: string;
  adapter: string; // the WebGPU adapter (or what the first backend reports)
  steps: number;
  warmup: number;
  cells: BenchCell[];
}

export function overheadRatio(app: AppLoop | null, bare: BareStepResult | null): number | null {
  return app && bare ? app.stepsPerSec / (1000 / bare.medianStepMs) : null;
}

const fixed = (v: number | null | undefined, digits = 0) => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const seconds = (ms: number | null | undefined) => (ms == null ? '–' : `${(ms / 1000).toFixed(1)} s`);
/** 2.15e9 -> '2.15 G', 3.4e7 -> '34.0 M' */
export const formatFlops = (v: number | null | undefined) => (v == null ? '–' : v >= 1e9 ? `${(v / 1e9).toFixed(2)} G` : `${(v / 1e6).toFixed(1)} M`);

/** A Markdown table of the report, one row per cell, plus each cell's top kernels. */
export function benchMarkdown(report: BenchReport): string {
  const lines = [
    `# I-JEPA step benchmark, ${report.date}`,
    '',
    `Adapter: ${report.adapter}  `,
    `Browser: ${report.userAgent}  `,
    `Median of ${report.steps} steps after ${report.warmup} warm-up steps.`,
    '',
    '| preset | backend | ms/step | images/s | first step | first step, precompiled | kernels/step | GPU dispatches/step | model FLOP/s | large matmul FLOP/s | utilisation | app overhead ratio | tensors step 10 → N | GPU bytes step 10 → N |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of report.cells) {
    const b = c.bare;
    if (!b) {
      lines.push(`| ${c.preset} | ${c.backend} | ${c.error ?? 'not measured'} |||||||||||||`);
      continue;
    }
    const [m10, mN] = [b.memory[0], b.memory[b.memory.length - 1]];
    lines.push(`| ${c.preset} | ${c.backend} | ${fixed(b.medianStepMs, 1)} | ${fixed(b.imagesPerSec, 1)} | ${seconds(b.firstStepMs)} | ${seconds(c.precompiled?.timeToFirstStepMs)} | ${b.kernelsPerStep} | ${b.dispatchesPerStep ?? '–'} | ${formatFlops(b.achievedFlopsPerSec)} | ${formatFlops(b.matmulFlopsPerSec)} | ${fixed(b.utilisation * 100, 1)}% | ${fixed(c.overheadRatio, 2)} | ${m10?.numTensors} → ${mN?.numTensors} | ${m10?.gpuBytes ?? '–'} → ${mN?.gpuBytes ?? '–'} |`);
  }
  for (const c of report.cells) {
    if (!c.bare) continue;
    lines.push('', `Top kernels, ${c.preset} on ${c.backend} (ms in one step, calls):`, '');
    for (const k of c.bare.topKernels) lines.push(`- ${k.name}: ${k.ms.toFixed(2)} ms, ${k.count}`);
  }
  return `${lines.join('\n')}\n`;
}
