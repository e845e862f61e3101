// The run's state machine in the worker: one I-JEPA step at a time on batches from the dataset
// (./batch.ts), with Train / Pause / Resume / Step / Reset, evaluation slices between steps,
// autosaves, NaN and device-loss handling; what the page sees goes through ./telemetry.ts.
import type { IJepaConfig } from '../../ijepa/config';
import * as tf from '../../ijepa/tf';
import { createPixelDecoder, disposePixelDecoder } from '../../ijepa/pixelDecoder';
import { createTrainer, disposeTrainer, nextMasks, trainStep, type Trainer } from '../../ijepa/trainStep';
import { assertValidConfig } from '../../ijepa/validate';
import { EpochSampler } from '../../data/sampler';
import { nextBatch } from './batch';
import type { DatasetManager } from '../dataset/datasetManager';
import { yieldToEventLoop } from '../eventLoop';
import { precompileStep } from '../backends/precompile';
import type { ExportKind, ReferenceExport, RunKeeper } from './runKeeper';
import type { Phase, RestoredRun, RunStatus, WorkerEvent } from '../protocol';
import { RunTelemetry, trainingStoppedMessage } from './telemetry';

/** While training, evaluation slices take at most about this share of a step's time after each step. */
const EVALUATION_SHARE = 1;
const IDLE_EVALUATION_MS = 50; // slices between two looks at the loop's state while paused
const WAITING_FOR_IMAGES = 'Waiting for the first images of the import to be decoded…';
const SHOWN_IMAGE = 0; // the batch image whose blocks the predictor's view shows

export interface SessionHooks {
  gpuBytes(): number | null;
}

export class TrainingSession {
  private config: IJepaConfig;
  private trainer: Trainer | null = null;
  private sampler: EpochSampler | null = null;
  private phase: Phase = 'idle';
  private message = '';
  private compileMs: number | null = null;
  /** Compile the first step's shaders up front (./precompile.ts); set from the backend in use. */
  precompileShaders = false;
  /** The WASM heap being grown and touched for the first step on another thread
   *  (../backends/heapWarmer.ts): the first step waits for it rather than meet each fresh page itself. */
  heapWarmed: Promise<unknown> = Promise.resolve();
  predictorView = true; // the predictor's view of each step (off: ?predictorView=0, to measure what it costs)
  pixelDecoder = true; // the pixel decoder beside the run, and its view (off: the page's switch, or ?decoderView=0)
  private looping = false;
  private stepInFlight = false;
  private loopDone: Promise<void> = Promise.resolve();
  private pendingSteps = 0; // Step button: run this many, then pause
  private readonly telemetry: RunTelemetry;
  private lastStepMs = 0; // the last step itself (not the first, which compiles): the evaluation's share
  private poisonNextBatch = false;

  private savedStep = -1; // the step of the last autosave

  constructor(
    config: IJepaConfig,
    private readonly data: DatasetManager,
    private readonly emit: (e: WorkerEvent) => void,
    hooks: SessionHooks,
    readonly keeper: RunKeeper,
  ) {
    assertValidConfig(config);
    this.config = config;
    this.telemetry = new RunTelemetry(emit, hooks.gpuBytes);
  }

  status(): RunStatus {
    return {
      phase: this.phase,
      step: this.trainer?.step ?? 0,
      totalSteps: this.config.totalSteps,
      message: this.message,
      compileMs: this.compileMs,
    };
  }

  private setPhase(phase: Phase, message = ''): void {
    this.phase = phase;
    this.message = message;
    if (!this.isRunning) this.telemetry.paused();
    this.flush(true);
    this.emit({ type: 'status', status: this.status() });
  }

  get isRunning(): boolean {
    return this.phase === 'training' || this.phase === 'compiling';
  }

  /** New settings: only between runs (the page shows them read-only while training). */
  async configure(config: IJepaConfig): Promise<void> {
    // the same settings again (a late echo of the page's form): the run goes on untouched
    if (JSON.stringify(config) === JSON.stringify(this.config)) return;
    if (this.isRunning) throw new Error('Pause or reset the run before changing its settings.');
    assertValidConfig(config);
    const resize = config.cropSize !== this.config.cropSize;
    this.config = config;
    await this.reset();
    if (resize) await this.data.resize(config.cropSize);
  }

  /** Back to step 0. */
  async reset(): Promise<void> {
    this.keeper.cancelEvaluations();
    await this.stopLoop();
    this.replaceTrainer(null, null);
    this.keeper.reset();
    this.emit({ type: 'reset' });
    this.setPhase('idle');
  }

  /** Stops the loop and waits for an in-flight step: its tensors must not be disposed under it. */
  private async stopLoop(): Promise<void> {
    this.phase = 'idle';
    await this.loopDone;
  }

  /** The run's trainer (null: none until the next step) and its batch order, on a fresh step clock
   *  that starts at `wallMs`; a trainer given here came from a checkpoint: nothing new to keep yet. */
  private replaceTrainer(trainer: Trainer | null, sampler: EpochSampler | null, wallMs = 0): void {
    if (this.trainer) disposeTrainer(this.trainer);
    this.trainer = trainer;
    this.sampler = sampler;
    this.pendingSteps = 0;
    this.telemetry.reset(wallMs);
    this.lastStepMs = 0;
    this.compileMs = null;
    this.savedStep = trainer ? trainer.step : -1;
  }

  start(): void {
    if (this.isRunning || this.phase === 'pausing') return;
    this.pendingSteps = 0;
    this.run();
  }

  /** Pause takes effect between steps: a step already running lands first ('pausing'). */
  pause(): void {
    if (this.isRunning) this.setPhase(this.stepInFlight ? 'pausing' : 'paused');
  }

  step(): void {
    if (this.isRunning || this.phase === 'pausing') return;
    this.pendingSteps = 1;
    this.run();
  }

  /** Test hook: the next batch is all NaN, as a diverging run would produce. */
  poisonNextStep(): void {
    this.poisonNextBatch = true;
  }

  private run(): void {
    if (this.data.store.count === 0) {
      this.setPhase('error', 'The dataset is empty: add a folder of images or use the sample set.');
      return;
    }
    const fresh = !this.trainer;
    const trainer = this.ensureTrainer();
    if (fresh && this.keeper.evalEvery > 0) this.keeper.scheduleEvaluation(trainer); // the quality curves start at step 0
    this.setPhase(trainer.step === 0 && this.compileMs === null ? 'compiling' : 'training');
    this.ensureLoop();
  }

  private ensureLoop(): void {
    if (!this.looping) this.loopDone = this.loop();
  }

  /** The worker's one loop: a training step when the run is on (then evaluation slices for about as
   *  long as the step took), the autosave of a pause, evaluation slices while paused; a message (Pause,
   *  Step, Reset) gets in between any two of these. */
  private async loop(): Promise<void> {
    this.looping = true;
    try {
      for (;;) {
        if (this.isRunning) await this.trainingIteration();
        else if (this.trainer && (this.phase === 'paused' || this.phase === 'done') && this.savedStep !== this.trainer.step)
          await this.autosave();
        else if (this.keeper.evaluating) await this.keeper.evaluateFor(IDLE_EVALUATION_MS);
        else break;
        await yieldToEventLoop();
      }
    } catch (error) {
      this.keeper.cancelEvaluations();
      this.setPhase('error', trainingStoppedMessage(error, tf.getBackend()));
    } finally {
      this.looping = false;
      this.flush(true);
    }
  }

  private async trainingIteration(): Promise<void> {
    if (this.data.split().train.length === 0 && this.data.isImporting) return this.waitForImages();
    this.stepInFlight = true;
    await this.oneStep().finally(() => (this.stepInFlight = false));
    if (this.phase === 'pausing') this.setPhase('paused');
    if (this.pendingSteps > 0 && --this.pendingSteps === 0 && this.isRunning) this.setPhase('paused');
    const trainer = this.trainer;
    if (!trainer || this.phase === 'error') return;
    if (this.keeper.isEvalDue(trainer.step)) this.keeper.requestEvaluation(trainer);
    if (this.keeper.isAutosaveDue(trainer.step)) await this.autosave();
    if (this.keeper.evaluating && this.isRunning) await this.keeper.evaluateFor(EVALUATION_SHARE * this.lastStepMs);
  }

  /** A run on images that are still being decoded (a folder replaced the sample set mid-run): it
   *  goes on as soon as the first training images are in. */
  private async waitForImages(): Promise<void> {
    if (this.message !== WAITING_FOR_IMAGES) this.setPhase(this.phase, WAITING_FOR_IMAGES);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  private async autosave(): Promise<void> {
    if (!this.trainer) return;
    this.savedStep = this.trainer.step;
    try {
      await this.keeper.autosave(this.trainer);
    } catch (error) {
      this.emit({
        type: 'status',
        status: {
          ...this.status(),
          message: `Autosave failed (${error instanceof Error ? error.message : String(error)}); training goes on.`,
        },
      });
    }
  }

  /** Evaluate now: in slices between the steps of a running run, back to back otherwise. Resolves
   *  when the evaluation under way (this one, or one already running) is done. */
  evaluateNow(): Promise<void> {
    if (this.data.store.count === 0) throw new Error('The dataset is empty.');
    this.keeper.scheduleEvaluation(this.ensureTrainer());
    this.ensureLoop();
    return this.keeper.evaluationsDone();
  }

  exportCheckpoint = (kind: ExportKind): Promise<Uint8Array> => this.keeper.checkpointBytes(this.ensureTrainer(), kind);
  /** The .pth.tar and YAML for the reference trainer. */
  referenceExport = (): Promise<ReferenceExport> => this.keeper.referenceExport(this.ensureTrainer());

  /** The run's trainer, created (at step 0) on first need. */
  private ensureTrainer(): Trainer {
    if (!this.trainer) {
      this.trainer = createTrainer(this.config);
      this.sampler = new EpochSampler(this.config.seed, this.data.split().train.length);
    }
    return this.trainer;
  }

  /** Continues a run from checkpoint bytes (an import or the autosave): same step, same history. */
  async restore(bytes: Uint8Array): Promise<RestoredRun> {
    if (this.isRunning) throw new Error('Pause or reset the run before loading a checkpoint.');
    const { trainer, run, summary } = this.keeper.restore(bytes, this.config); // throws, naming the mismatch, before anything changes
    await this.stopLoop();
    const resize = run.config.cropSize !== this.data.store.side;
    this.config = run.config;
    if (resize) await this.data.resize(run.config.cropSize);
    const imagesSeen = trainer.step * run.config.batchSize;
    this.replaceTrainer(trainer, EpochSampler.resumed(run.config.seed, this.data.split().train.length, imagesSeen), this.keeper.wallMs);
    this.phase = trainer.step >= run.config.totalSteps ? 'done' : 'paused';
    this.message = `${summary} at step ${trainer.step}.`;
    const restored = { ...run, status: this.status() };
    this.emit({ type: 'restored', run: restored });
    return restored;
  }

  /** The trainer gets its pixel decoder, or loses it, as the switch says (between steps only: a step
   *  in flight holds it). Runs predicting pixels have none: their predictor's output is pixels already. */
  private fitDecoder(trainer: Trainer): void {
    const wanted = this.pixelDecoder && trainer.config.predictionTarget === 'representations';
    if (wanted && !trainer.decoder) trainer.decoder = createPixelDecoder(trainer.config);
    if (!wanted && trainer.decoder) {
      disposePixelDecoder(trainer.decoder);
      trainer.decoder = undefined;
    }
  }

  /** What a first step waits for: the heap's warming, then (on a hardware GPU) its shaders compiled. */
  private async beforeFirstStep(config: IJepaConfig, images: tf.Tensor4D): Promise<void> {
    await this.heapWarmed;
    if (this.precompileShaders) await precompileStep(config, images);
  }

  private async oneStep(): Promise<void> {
    const trainer = this.trainer!;
    const { config } = trainer;
    this.fitDecoder(trainer);
    const masks = nextMasks(trainer);
    const started = performance.now();
    const batch = nextBatch(trainer, this.data.store, this.data.split().train, this.sampler!); // held-out images are never trained on
    const images = this.poisonNextBatch ? tf.tidy(() => batch.images.mul(Number.NaN) as tf.Tensor4D) : batch.images;
    if (images !== batch.images) batch.images.dispose();
    this.poisonNextBatch = false;
    const firstStep = this.compileMs === null; // of this trainer on this backend: shaders to compile
    const result = await (firstStep ? this.beforeFirstStep(config, images) : Promise.resolve())
      .then(() => trainStep(trainer, images, masks, this.predictorView || trainer.decoder ? SHOWN_IMAGE : undefined))
      .finally(() => images.dispose());
    const stepMs = performance.now() - started;
    if (this.message === WAITING_FOR_IMAGES) this.message = '';
    if (firstStep) {
      this.compileMs = stepMs;
      if (this.phase === 'compiling' && this.isRunning) this.setPhase('training');
    } else {
      this.lastStepMs = stepMs;
    }
    const wallMs = this.telemetry.stepTimed(stepMs, !firstStep, this.isRunning);
    if (!result.applied) {
      this.setPhase(
        'paused',
        `The loss became ${result.loss} at step ${result.step}. That update was skipped, so the weights are still those of step ${trainer.step}. Lower the learning rate or reset the run.`,
      );
      return;
    }
    const record = { step: result.step, loss: result.loss, lr: result.lr, wd: result.wd, momentum: result.momentum, stepMs, wallMs };
    this.keeper.log(record);
    this.telemetry.stepTrained(record, masks, batch, {
      ...result,
      config,
      side: this.data.store.side,
      shownImage: SHOWN_IMAGE,
      predictorView: this.predictorView,
    });
    if (trainer.step >= config.totalSteps) this.setPhase('done', `Finished the ${config.totalSteps} planned steps.`);
    else this.flush(false);
  }

  private flush(force: boolean): void {
    this.telemetry.flush(this.status(), this.config, force);
  }

  /** The GPU device was lost: nothing more can run on this worker. */
  deviceLost(reason: string): void {
    this.phase = 'error'; // stops the loop before anything else touches the GPU
    this.keeper.cancelEvaluations();
    this.setPhase('error', `The GPU device was lost (${reason}). Press Restart to start again on a fresh GPU context.`);
  }
}
