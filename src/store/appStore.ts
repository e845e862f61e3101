// One zustand store from typed slices: settings, run status, dataset and backend. Only coarse,
// human-rate state lives here; per-step series live in ./metrics (outside React).
import { create } from 'zustand';
import { PRESETS, type IJepaConfig, type PresetName } from '../ijepa/config';
import { recipeConfig, type RecipeName } from '../ijepa/recipe';
import { validateConfig } from '../ijepa/validate';
import type { BackendMeasurement, BackendTrial } from '../client/backendChoice';
import type { Measurement } from '../client/rememberedMeasurement';
import {
  isActivePhase,
  type BackendInfo,
  type EvalProgress,
  type DatasetImages,
  type DatasetSummary,
  type ImportProgress,
  type Neighbours,
  type MetricsUpdate,
  type QualityUpdate,
  type RunStatus,
  type SavedRunSummary,
} from '../worker/protocol';

export interface LiveNumbers extends Omit<MetricsUpdate, 'records' | 'masks' | 'status'> {
  loss: number | null;
  lr: number | null;
  wd: number | null;
  momentum: number | null;
}

interface SettingsSlice {
  preset: PresetName;
  recipe: RecipeName; // how a preset's settings are laid out (src/ijepa/recipe.ts)
  config: IJepaConfig;
  configProblems: string[];
  appliedConfig: string; // the settings the worker runs with (JSON): the form applies only changes
  setPreset(preset: PresetName): void;
  setRecipe(recipe: RecipeName): void;
  setField<K extends keyof IJepaConfig>(key: K, value: IJepaConfig[K]): void;
}

interface RunSlice {
  status: RunStatus;
  live: LiveNumbers;
  backend: BackendInfo | null;
  workerReady: boolean;
  notices: string[]; // readable errors and warnings for the page (newest last)
  notify(message: string): void;
  dismiss(index: number): void;
}

interface ViewSlice {
  panelsVisible: boolean; // hidden panels draw nothing (and let the run be measured without them)
  setPanelsVisible(visible: boolean): void;
  scheduleZoom: boolean; // the schedule charts show the trained steps only, not the whole plan
  setScheduleZoom(zoom: boolean): void;
  decoderView: boolean; // the pixel decoder beside the run and its view (src/panels/DecoderView.tsx)
}

interface QualitySlice {
  quality: QualityUpdate[]; // one per evaluation of this run (patch views only on the newest)
  evaluating: EvalProgress | null; // an evaluation under way (it runs between training steps)
  evalEvery: number;
  autosaveEvery: number;
  savedRun: SavedRunSummary | null; // an autosaved run found on load, offered for resume
}

/** What the encoder learned: the nearest neighbours of one image, and held-out images to pick from. */
interface LearnedSlice {
  neighbourQuery: number | null; // the dataset image whose neighbours are shown
  neighbours: Neighbours | null;
  neighbourNote: string; // why none are shown ('' when they are)
  queryStrip: DatasetImages | null; // held-out images of the newest evaluation
}

/** The startup measurement of this machine's backends (./backendChoice.ts), live while it runs. */
export interface StartupState {
  measuring: boolean;
  note: string; // what is being measured now
  trials: BackendTrial[];
  measurement: Measurement | null; // null: not measured (the link chose backend and preset)
  timeline: StartupTimeline;
}

/** What a person waited for after this page loaded, in ms on the page's clock (since navigation
 *  began); null until it happened. Set once per page load (a Restart later does not move it). */
export interface StartupTimeline {
  measured: number | null; // what the page opens on measured (the first backend and its presets), or recalled
  allMeasured: number | null; // every backend timed (on a first visit, after the page opened), or recalled
  ready: number | null; // the trainer ready: Train enabled
  trainPressed: number | null; // Train (or Step) pressed
  firstStep: number | null; // the first training step completed
}

interface StartupSlice {
  startup: StartupState;
}

interface DatasetSlice {
  dataset: DatasetSummary | null;
  importProgress: ImportProgress | null;
}

export type AppState = SettingsSlice & RunSlice & DatasetSlice & ViewSlice & QualitySlice & LearnedSlice & StartupSlice;

export const emptyLive: LiveNumbers = {
  loss: null,
  lr: null,
  wd: null,
  momentum: null,
  stepsPerSec: 0,
  imagesPerSec: 0,
  etaSec: null,
  numTensors: 0,
  gpuBytes: null,
};

/** A preset's settings under a recipe, planned with the speed the startup measurement found for it. */
export function presetWithRecipe(preset: PresetName, recipe: RecipeName, measurement: BackendMeasurement | null): IJepaConfig {
  const speed = measurement?.presets.find((p) => p.preset === preset && p.measured);
  return recipeConfig(PRESETS[preset], recipe, { stepsPerSec: speed?.stepsPerSec ?? null });
}

export const useAppStore = create<AppState>()((set) => ({
  preset: 'tiny',
  recipe: 'browser',
  config: presetWithRecipe('tiny', 'browser', null),
  configProblems: [],
  appliedConfig: '',
  setPreset: (preset) => set((s) => ({ preset, config: presetWithRecipe(preset, s.recipe, s.startup.measurement), configProblems: [] })),
  setRecipe: (recipe) => set((s) => ({ recipe, config: presetWithRecipe(s.preset, recipe, s.startup.measurement), configProblems: [] })),
  setField: (key, value) =>
    set((s) => {
      const config = { ...s.config, [key]: value };
      return { config, configProblems: validateConfig(config) };
    }),

  status: { phase: 'idle', step: 0, totalSteps: PRESETS.tiny.totalSteps, message: '', compileMs: null },
  live: emptyLive,
  backend: null,
  workerReady: false,
  notices: [],
  notify: (message) => set((s) => ({ notices: [...s.notices.slice(-4), message] })),
  dismiss: (index) => set((s) => ({ notices: s.notices.filter((_, i) => i !== index) })),

  dataset: null,
  importProgress: null,

  startup: {
    measuring: false,
    note: '',
    trials: [],
    measurement: null,
    timeline: { measured: null, allMeasured: null, ready: null, trainPressed: null, firstStep: null },
  },

  quality: [],
  evaluating: null,
  evalEvery: 100,
  autosaveEvery: 100,
  savedRun: null,

  neighbourQuery: null,
  neighbours: null,
  neighbourNote: '',
  queryStrip: null,

  panelsVisible: true,
  setPanelsVisible: (panelsVisible) => set({ panelsVisible }),
  scheduleZoom: false,
  setScheduleZoom: (scheduleZoom) => set({ scheduleZoom }),
  decoderView: true,
}));

/** Named selector hooks for the panels. */
export const usePhase = () => useAppStore((s) => s.status.phase);
export const useIsRunning = () => useAppStore((s) => isActivePhase(s.status.phase));
/** Train (and Step) can start a run: the worker is up, the settings are valid, there are images. */
export const canTrain = (s: AppState): boolean =>
  s.workerReady && s.configProblems.length === 0 && s.status.phase !== 'done' && (s.dataset?.count ?? 0) > 0;
export const useCanTrain = () => useAppStore(canTrain);
/** Settings are editable only before a run starts. */
export const useIsRunLocked = () => useAppStore((s) => s.status.step > 0 || isActivePhase(s.status.phase));
