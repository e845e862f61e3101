// A small read-only view of the page's state on `window.__ijepa`, for end-to-end tests and curious
// people in the console. With ?testHooks=1 it also offers `forceNaN()`.
import { useAppStore } from '../store/appStore';
import { useBenchStore } from '../bench/runner';
import { runHistory } from '../store/metrics';
import { actions } from '../store/trainerConnection';
import { lossChartView } from '../panels/LossPanel';
import { maskPanelView } from '../panels/MaskPanel';
import { useRunLibrary } from '../store/keptRuns';
import { experimentBusy, useExperiment } from '../store/experimentQueue';
import { cellColour, PREDICTION_BACKGROUND, predictedCells } from '../panels/drawPrediction';
import { predictionPanelView } from '../panels/PredictionView';
import { decoderPanelView } from '../panels/DecoderView';
import { contextCells, contextShade } from '../panels/drawDecoded';
import { qualityChartView } from '../panels/QualityPanel';
import { classColour } from '../panels/drawEmbeddingMap';
import { embeddingMapPanel } from '../panels/EmbeddingMapView';
import { scheduleChartView } from '../panels/ScheduleCharts';

/** The mask record the panel is drawing, its tile layout, and the colours of the target blocks. */
function maskPanel() {
  const { record, tiles, dpr } = maskPanelView;
  if (!record) return null;
  return {
    step: record.step,
    strategy: record.strategy,
    grid: record.grid,
    batchSize: record.batchSize,
    contextTokens: record.contextTokens,
    targetTokens: record.targetTokens,
    contextIdx: Array.from(record.contextIdx),
    targetIdx: Array.from(record.targetIdx),
    tiles: tiles.map((t) => ({ ...t })),
    dpr,
    firstImage: Array.from(record.images.subarray(0, record.imageSide ** 2 * 3)), // its RGB bytes as stored
  };
}

/** The predictor's view as drawn: its step, tiles, and per block the cells and colours of each column. */
function predictionPanel() {
  const { record, tiles, dpr } = predictionPanelView;
  const prediction = record?.prediction;
  if (!record || !prediction) return null;
  return {
    step: record.step,
    grid: record.grid,
    image: prediction.image,
    tiles: tiles.map((row) => row.map((t) => ({ ...t }))),
    dpr,
    background: PREDICTION_BACKGROUND.join(','),
    blocks: tiles.map((row, j) => ({
      cells: Array.from(predictedCells(record, prediction, j)),
      colours: row.map((_, column) => Array.from({ length: prediction.tokens }, (_, t) => cellColour(prediction, column, j, t).join(','))),
    })),
    error: Array.from(prediction.error),
  };
}

/** The pixel decoder's view as drawn: its step, tiles, the context cells and the colour of each one's
 *  centre pixel as drawn (dimmed), and per block the cells and, per column, the colour of each cell's
 *  centre pixel. */
function decoderPanel() {
  const { record, tiles, dpr } = decoderPanelView;
  const decoded = record?.decoded;
  if (!record || !decoded) return null;
  const p = decoded.patchSize;
  const sources = [decoded.truth, decoded.fromTargets, decoded.fromPredicted];
  // the colour of the centre pixel of patch `k` of `source` ([rows, p, p, 3]), through `colour`
  const centre = (source: Uint8Array, k: number, colour = (_: number, v: number) => v) => {
    const at = ((k * p + Math.floor(p / 2)) * p + Math.floor(p / 2)) * 3;
    return Array.from(source.subarray(at, at + 3), (v, c) => colour(c, v)).join(',');
  };
  return {
    step: record.step,
    grid: record.grid,
    patchSize: p,
    tiles: tiles.map((row) => row.map((t) => ({ ...t }))),
    dpr,
    background: PREDICTION_BACKGROUND.join(','),
    psnrTargets: Array.from(decoded.psnrTargets),
    psnrPredicted: Array.from(decoded.psnrPredicted),
    context: Array.from(contextCells(record, decoded), (cell) => ({ cell, centre: centre(decoded.input, cell, contextShade) })),
    blocks: tiles.map((row, j) => ({
      cells: Array.from(predictedCells(record, decoded, j)),
      centres: row.map((_, column) => Array.from({ length: decoded.tokens }, (_, t) => centre(sources[column], j * decoded.tokens + t))),
    })),
  };
}

/** The embedding map as drawn: its evaluation, and each point's image, class colour and canvas position. */
function embeddingMap() {
  const { map, canvasPoints, dpr } = embeddingMapPanel;
  if (!map) return null;
  return {
    step: map.step,
    indices: Array.from(map.indices),
    labels: Array.from(map.labels),
    colours: Array.from(map.labels, (l) => classColour(l)),
    canvasPoints: canvasPoints.map((p) => [...p] as [number, number]),
    dpr,
  };
}

/** The neighbours shown: the query, and the images and similarities under each encoder. */
function neighbours() {
  const n = useAppStore.getState().neighbours;
  const list = (l: { index: number; similarity: number }[]) => l.map(({ index, similarity }) => ({ index, similarity }));
  return n && { step: n.step, query: n.query, trained: list(n.trained), random: list(n.random) };
}

/** What the "what it learned" views cost in the worker: the predictor's view per step (median over the
 *  steps the page holds: the first ones include compiling the code), the map per evaluation, the last
 *  neighbours query. */
function viewCosts() {
  const costs = runHistory.masks.flatMap((m) => (m.prediction ? [m.prediction.computeMs] : []));
  const median = (values: number[]) => (values.length > 0 ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] : null);
  const { quality, neighbours } = useAppStore.getState();
  return {
    steps: costs.length,
    predictionComputeMs: median(costs),
    mapMs: quality[quality.length - 1]?.mapMs ?? null,
    neighboursMs: neighbours?.ms ?? null,
  };
}

function lossChart() {
  const { chart, log } = lossChartView;
  return {
    log,
    distr: chart?.scales.y.distr ?? null,
    points: chart ? chart.data[0].length : 0,
    yRange: chart ? [chart.scales.y.min, chart.scales.y.max] : null,
  };
}

function makeHook(withActions: boolean) {
  return {
    status: () => structuredClone(useAppStore.getState().status),
    backend: () => structuredClone(useAppStore.getState().backend),
    dataset: () => {
      const d = useAppStore.getState().dataset;
      return d && { count: d.count, classes: d.classes, skipped: d.skipped, bytes: d.bytes, side: d.side, source: d.source };
    },
    live: () => structuredClone(useAppStore.getState().live),
    preset: () => useAppStore.getState().preset,
    recipe: () => useAppStore.getState().recipe,
    config: () => structuredClone(useAppStore.getState().config),
    startup: () => structuredClone(useAppStore.getState().startup),
    evaluating: () => structuredClone(useAppStore.getState().evaluating),
    qualitySteps: () => useAppStore.getState().quality.map((q) => q.record.step),
    qualityFigures: () =>
      useAppStore.getState().quality.map(({ record, baseline, pixels, verdict, subset }) => ({
        record: { ...record },
        baseline: { ...baseline },
        pixels: pixels && { ...pixels },
        verdict: { ...verdict },
        subset: subset && { ...subset },
      })),
    importProgress: () => structuredClone(useAppStore.getState().importProgress),
    losses: () => Array.from(runHistory.series.loss.values()),
    steps: () => Array.from(runHistory.series.step.values()),
    momentum: () => Array.from(runHistory.series.momentum.values()),
    maskSteps: () => runHistory.masks.map((m) => m.step),
    stepTimes: () => Array.from(runHistory.series.stepMs.values()),
    maskPanel,
    predictionPanel,
    decoderPanel,
    embeddingMap,
    neighbours,
    viewCosts,
    lossChart,
    qualityChartSteps: () => Array.from(qualityChartView.chart?.data[0] ?? [], Number),
    momentumChartRange: () =>
      scheduleChartView.momentum
        ? [scheduleChartView.momentum.scales.x.min ?? null, scheduleChartView.momentum.scales.x.max ?? null]
        : null,
    bench: () => structuredClone(useBenchStore.getState()),
    keptRuns: () => useRunLibrary.getState().runs.map((r) => ({ name: r.name, step: r.step, losses: r.history.loss })),
    keptRunSettings: () =>
      useRunLibrary.getState().runs.map((r) => ({ name: r.name, config: r.config, evaluatedSteps: r.evaluations.map((e) => e.step) })),
    experiment: () => structuredClone(useExperiment.getState().experiment),
    experimentBusy,
    forceNaN: withActions ? () => actions.forceNaN() : undefined,
    loseDevice: withActions ? () => actions.loseDevice() : undefined,
    fusedKernelErrors: withActions ? () => actions.fusedKernelErrors() : undefined,
  };
}

export type IjepaTestHook = ReturnType<typeof makeHook>;
declare global {
  interface Window {
    __ijepa?: IjepaTestHook;
  }
}

export function installTestHook(): void {
  const hook = makeHook(new URLSearchParams(window.location.search).has('testHooks'));
  Object.defineProperty(window, '__ijepa', { value: Object.freeze(hook), configurable: false, writable: false });
}
