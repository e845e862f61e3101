// The benchmark's report: one cell per (preset, backend), as JSON and as a small Markdown table.
// Shared by the `?bench` page and `npm run bench` (which writes both under bench/results/).
import type { PresetName } from '../ijepa/config';
import type { BareStepResult, FirstStep } from '../worker/measurement/bareStep';
import type { BackendName } from '../worker/protocol';

export interface AppLoop {
  steps: number; // steps timed (after compilation and warm-up)
  stepsPerSec: number; // the whole app: worker loop, masks, metrics, panels drawn
  predictor: { width: number; depth: number }; // of the model timed: the preset's, as the bare step's
}

export interface BenchCell {
  preset: PresetName;
  backend: BackendName;
  threads?: number; // WASM measured on this many threads only (else: every core)
  bare: BareStepResult | null; // the step as the app runs it (fused kernels where the backend has them)
  plain: BareStepResult | null; // the same step with the plain tfjs ops (before the fused kernels)
  decoder?: BareStepResult | null; // the app's step with the pixel decoder beside it (decoder=1)
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
export const formatFlops = (v: number | null | undefined) =>
  v == null ? '–' : v >= 1e9 ? `${(v / 1e9).toFixed(2)} G` : `${(v / 1e6).toFixed(1)} M`;

/** "wasm (2 threads)", or the backend's name where threads do not apply. */
export const backendLabel = (backend: string, threads: number | null | undefined) =>
  threads ? `${backend} (${threads} thread${threads > 1 ? 's' : ''})` : backend;

function row(c: BenchCell, b: BareStepResult, variant: 'fused' | 'plain' | 'decoder'): string {
  const [m10, mN] = [b.memory[0], b.memory[b.memory.length - 1]];
  const fusedRow = variant === 'fused';
  const dataMovement = `${fixed(b.dataMovementMs, 1)} ms (${fixed((100 * b.dataMovementMs) / b.medianStepMs, 1)}%)`;
  return `| ${c.preset} | ${backendLabel(c.backend, b.threads)} | ${variant === 'decoder' ? 'fused + pixel decoder' : b.fused ? 'fused' : 'plain'} | ${fixed(b.medianStepMs, 1)} | ${fixed(b.imagesPerSec, 1)} | ${seconds(b.firstStepMs)} | ${fusedRow ? seconds(c.precompiled?.timeToFirstStepMs) : '–'} | ${b.kernelsPerStep} / ${b.workKernelsPerStep} | ${b.dispatchesPerStep ?? '–'} | ${dataMovement} | ${formatFlops(b.achievedFlopsPerSec)} | ${formatFlops(b.matmulFlopsPerSec)} | ${fixed(b.utilisation * 100, 1)}% | ${fusedRow ? fixed(c.overheadRatio, 2) : '–'} | ${m10?.numTensors} → ${mN?.numTensors} | ${m10?.gpuBytes ?? '–'} → ${mN?.gpuBytes ?? '–'} |`;
}

/** What the pixel decoder beside the step costs, in one line: by the mean step (it learns on some
 *  steps only, which a median would leave out). */
export function decoderCost(c: BenchCell): string | null {
  if (!c.bare || !c.decoder) return null;
  const [bare, decoder] = [c.bare.meanStepMs, c.decoder.meanStepMs];
  const extra = (100 * (decoder - bare)) / bare;
  return `${c.preset} on ${backendLabel(c.backend, c.bare.threads)}: the pixel decoder beside the step (and its view's blocks read back) takes the mean step from ${fixed(bare, 1)} to ${fixed(decoder, 1)} ms (${extra >= 0 ? '+' : ''}${fixed(extra, 0)}%).`;
}

/** "fused vs plain" in one line: how many times fewer kernels and how much faster. */
export function fusedGain(c: BenchCell): string | null {
  if (!c.bare || !c.plain || !c.bare.fused) return null;
  const ratio = (a: number | null, b: number | null) => (a && b ? (b / a).toFixed(2) : '–');
  return (
    `${c.preset} on ${c.backend}: the fused step runs ${ratio(c.bare.workKernelsPerStep, c.plain.workKernelsPerStep)}x fewer tfjs kernels that do work ` +
    (c.bare.dispatchesPerStep ? `(${ratio(c.bare.dispatchesPerStep, c.plain.dispatchesPerStep)}x fewer GPU dispatches) ` : '') +
    `and the step is ${ratio(c.bare.medianStepMs, c.plain.medianStepMs)}x as fast.`
  );
}

/** "matMul 40, lerp 12": the programs a step dispatched, the most frequent first. */
export const dispatchList = (byProgram: Record<string, number>) =>
  Object.entries(byProgram)
    .sort(([, a], [, b]) => b - a)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');

/** A Markdown table of the report, one row per cell and kernel variant, plus top kernels. */
export function benchMarkdown(report: BenchReport): string {
  const lines = [
    `# I-JEPA step benchmark, ${report.date}`,
    '',
    `Adapter: ${report.adapter}  `,
    `Browser: ${report.userAgent}  `,
    `Median of ${report.steps} steps after ${report.warmup} warm-up steps. "fused": the app's step (fused kernels where the backend has them); "plain": the same step with tfjs' own ops. Data movement: Transpose, Slice and SplitV (and our WASM transpose) in one profiled step, and their share of the step's time.`,
    '',
    '| preset | backend | kernels | ms/step | images/s | first step | first step, precompiled | kernels/step (all / doing work) | GPU dispatches/step | data movement | model FLOP/s | large matmul FLOP/s | utilisation | app overhead ratio | tensors step 10 → N | GPU bytes step 10 → N |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of report.cells) {
    const label = backendLabel(c.backend, c.threads);
    if (!c.bare && !c.plain) lines.push(`| ${c.preset} | ${label} | ${c.error ?? 'not measured'} |||||||||||||||`);
    if (c.bare) lines.push(row(c, c.bare, 'fused'));
    if (c.plain) lines.push(row(c, c.plain, 'plain'));
    if (c.decoder) lines.push(row(c, c.decoder, 'decoder'));
    if ((c.bare || c.plain) && c.error) lines.push(`| ${c.preset} | ${label} | ${c.error} |||||||||||||||`);
  }
  const gains = [...report.cells.map(fusedGain), ...report.cells.map(decoderCost)].filter((g): g is string => g !== null);
  if (gains.length > 0) lines.push('', ...gains.map((g) => `- ${g}`));
  for (const c of report.cells) {
    for (const b of [c.bare, c.plain]) {
      if (!b) continue;
      const on = backendLabel(c.backend, b.threads);
      lines.push('', `Top kernels, ${c.preset} on ${on}, ${b.fused ? 'fused' : 'plain'} (ms in one profiled step, calls):`, '');
      for (const k of b.topKernels) lines.push(`- ${k.name}: ${k.ms.toFixed(2)} ms, ${k.count}`);
      if (b.dispatchesByProgram)
        lines.push('', `GPU dispatches by program, ${c.preset}, ${b.fused ? 'fused' : 'plain'}: ${dispatchList(b.dispatchesByProgram)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
