// The startup measurement's decisions, with scripted workers on fake timers: what a backend
// "measures" is what the script says, so nothing here depends on this machine's speed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { presetConfig, type PresetName } from '../ijepa/config';
import { stepFlops } from '../ijepa/flops';
import { planMasks } from '../ijepa/masks';
import { browserModel } from '../ijepa/recipe';
import {
  MIN_SHADERS_PER_STEP,
  fastestBackend,
  measureBackends,
  probeOrder,
  type BackendMeasurement,
  type BackendTrial,
  type OpenProbeWorker,
  type ProbeWorker,
} from './backendChoice';
import { LIVE_STEPS_PER_SEC, estimateStepMs, fitStepCost, presetFlops, presetSpeeds } from './presetSpeeds';
import type { BackendName } from '../worker/protocol';

/** A scripted backend: per preset (and batch), the ms of its first step and of each later one;
 *  `hang` never finishes a step; `shaderMs` is its first shader's compile time. */
interface Script {
  steps?: Partial<Record<string, { first: number; each: number }>>;
  hang?: boolean;
  shaderMs?: number;
  unavailable?: boolean;
  software?: boolean;
  kept?: boolean; // the page goes on using it (the training worker) when its backend is chosen
  heap?: Partial<Record<PresetName, number>>; // the memory its worker reports after a preset's steps
}

function scripted(scripts: Partial<Record<BackendName, Script>>) {
  const closed: BackendName[] = [];
  const opened: BackendName[] = [];
  const workloads: string[] = [];
  const open: OpenProbeWorker = async (name) => {
    opened.push(name);
    const script = scripts[name];
    if (!script || script.unavailable) throw new Error(`${name} did not start`);
    let lastPreset: PresetName | null = null;
    const worker: ProbeWorker = {
      info: {
        name,
        available: [name],
        adapter: script.software ? 'swiftshader (software)' : 'hw',
        isSoftware: Boolean(script.software),
        threads: name === 'wasm' ? 2 : null,
        simd: name === 'wasm' ? true : null,
        note: '',
      },
      async timeSteps(preset: PresetName, batchSize, limits, onStep) {
        workloads.push(`${name}:${preset}@${batchSize}`);
        lastPreset = preset;
        const times = script.steps?.[`${preset}@${batchSize}`] ?? script.steps?.[preset];
        if (script.hang || !times) return new Promise<void>(() => {});
        let timed = 0;
        for (let k = 0; k < limits.maxSteps && timed < limits.enoughMs; k++) {
          const ms = k === 0 ? times.first : times.each;
          await new Promise((r) => setTimeout(r, ms));
          if (k > 0) timed += ms;
          onStep(ms);
        }
      },
      firstShaderMs: () => new Promise((resolve) => setTimeout(() => resolve(script.shaderMs ?? 5), script.shaderMs ?? 5)),
      close: () => closed.push(name),
      kept: script.kept,
      heapBytes: async () => (lastPreset && script.heap?.[lastPreset]) ?? null,
    };
    return worker;
  };
  return { open, closed, opened, workloads };
}

async function run(promise: Promise<unknown>) {
  await vi.runAllTimersAsync();
  return promise;
}

const SOFTWARE_GPUS = { webgpu: 'software', webgl: 'software' } as const;
const HARDWARE_WEBGPU = { webgpu: 'hardware', webgl: 'software' } as const;

const trialOf = (trials: BackendTrial[], name: BackendName) => trials.find((t) => t.name === name)!;

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
afterEach(() => vi.useRealTimers());

describe('measured backend choice', () => {
  it('measures the likely winner first: a hardware GPU, else WASM', () => {
    const all: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
    expect(probeOrder(all, { webgpu: 'hardware', webgl: 'hardware' })).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(probeOrder(all, { webgpu: null, webgl: 'hardware' })).toEqual(['webgl', 'wasm', 'cpu', 'webgpu']);
    expect(probeOrder(all, { webgpu: 'software', webgl: 'software' })).toEqual(['wasm', 'cpu', 'webgpu', 'webgl']);
    expect(probeOrder(['cpu', 'wasm'], { webgpu: null, webgl: null })).toEqual(['wasm', 'cpu']);
  });

  it('on a machine without a GPU: WASM wins, the CPU is not timed, software WebGPU stops after one shader and software WebGL is not timed', async () => {
    const { open, closed, opened, workloads } = scripted({
      wasm: { steps: { micro: { first: 500, each: 200 } } },
      cpu: { steps: { micro: { first: 900, each: 700 } } },
      webgpu: { software: true, shaderMs: 400, steps: { micro: { first: 25_000, each: 800 } } },
      webgl: { software: true, shaderMs: 200, steps: { micro: { first: 14_000, each: 500 } } },
    });
    const measurement = (await run(measureBackends(open, { gpus: SOFTWARE_GPUS }))) as Awaited<ReturnType<typeof measureBackends>>;
    expect(measurement.chosen).toBe('wasm');
    expect(trialOf(measurement.trials, 'wasm')).toMatchObject({ outcome: 'measured', stepsPerSec: 5, threads: 2 });
    // CPU: the same kernels as WASM's in plain JavaScript, never timed once WASM was
    expect(trialOf(measurement.trials, 'cpu')).toMatchObject({ outcome: 'skipped', stepsPerSec: null, elapsedMs: 0 });
    expect(workloads.some((w) => w.startsWith('cpu'))).toBe(false);
    const webgpu = trialOf(measurement.trials, 'webgpu');
    expect(webgpu).toMatchObject({ outcome: 'stopped', stepsPerSec: null, firstStepMs: null, isSoftware: true });
    expect(webgpu.shaderMs! * MIN_SHADERS_PER_STEP).toBeGreaterThan(1000);
    // WebGL renders on the CPU too (the same software renderer): not started once WebGPU's shaders were too slow
    expect(trialOf(measurement.trials, 'webgl')).toMatchObject({ outcome: 'skipped', isSoftware: true, elapsedMs: 0 });
    expect(closed).toEqual(expect.arrayContaining(['webgpu', 'wasm']));
    // WASM's worker, still busy with the tiny step its deadline cut, closed before the challengers ran;
    // none opened again for it
    expect(closed[0]).toBe('wasm');
    expect(opened).toEqual(['wasm', 'webgpu']);
    expect(measurement.available).toEqual(['wasm', 'cpu', 'webgpu', 'webgl']);
    // presets: micro measured; tiny tried (its script never finishes a step: stopped at its own
    // deadline) and small estimated from micro alone (all compute: the slow side); opened on micro
    expect(measurement.presets[0]).toEqual({ preset: 'micro', stepsPerSec: 5, measured: true });
    expect(measurement.presets.slice(1).every((p) => !p.measured && p.stepsPerSec < 1)).toBe(true);
    expect(measurement.defaultPreset).toBe('micro');
  });

  it('times a software WebGL where no software WebGPU was stopped first', async () => {
    const { open, opened } = scripted({
      wasm: { steps: { micro: { first: 500, each: 200 } } },
      webgpu: { unavailable: true },
      webgl: { software: true, shaderMs: 200, steps: { micro: { first: 14_000, each: 500 } } },
    });
    const measurement = (await run(
      measureBackends(open, { gpus: { webgpu: null, webgl: 'software' }, candidates: ['wasm', 'webgpu', 'webgl'] }),
    )) as Awaited<ReturnType<typeof measureBackends>>;
    expect(opened).toContain('webgl');
    expect(trialOf(measurement.trials, 'webgl')).toMatchObject({ outcome: 'stopped', isSoftware: true });
    expect(measurement.chosen).toBe('wasm');
  });

  it('measures tiny on the likely winner at once, before any challenger, and opens on it when it is live', async () => {
    // a busy core: micro alone would extrapolate tiny to under 1 step/s; tiny's own steps (1.5
    // steps/s), timed while nothing else runs, decide
    const { open, workloads } = scripted({
      wasm: { steps: { micro: { first: 900, each: 300 }, tiny: { first: 1500, each: 650 } } },
      webgpu: { software: true, shaderMs: 400 },
    });
    const measurement = (await run(measureBackends(open, { gpus: SOFTWARE_GPUS, candidates: ['wasm', 'webgpu'] }))) as Awaited<
      ReturnType<typeof measureBackends>
    >;
    expect(estimateStepMs(fitStepCost({ micro: 300 }), 'tiny')).toBeGreaterThan(1000);
    expect(workloads.slice(0, 2)).toEqual(['wasm:micro@8', 'wasm:tiny@64']);
    expect(trialOf(measurement.trials, 'webgpu').outcome).toBe('stopped');
    expect(measurement.presets[1]).toEqual({ preset: 'tiny', stepsPerSec: 1000 / 650, measured: true });
    expect(measurement.defaultPreset).toBe('tiny');
  });

  it('times the CPU backend where WASM could not start', async () => {
    const { open } = scripted({ wasm: { unavailable: true }, cpu: { steps: { micro: { first: 900, each: 700 } } } });
    const measurement = (await run(measureBackends(open, { gpus: SOFTWARE_GPUS, candidates: ['wasm', 'cpu'] }))) as Awaited<
      ReturnType<typeof measureBackends>
    >;
    expect(measurement.chosen).toBe('cpu');
    expect(trialOf(measurement.trials, 'cpu')).toMatchObject({ outcome: 'measured', stepsPerSec: 1000 / 700 });
  });

  const realGpu: Partial<Record<BackendName, Script>> = {
    webgpu: {
      steps: {
        micro: { first: 2000, each: 15 },
        'micro@32': { first: 300, each: 17 },
        tiny: { first: 1500, each: 40 },
        small: { first: 3000, each: 400 },
      },
    },
    wasm: { steps: { micro: { first: 500, each: 200 } } },
    webgl: { shaderMs: 10, steps: { micro: { first: 1500, each: 60 } } },
    cpu: { steps: { micro: { first: 900, each: 700 } } },
  };

  it('with a real GPU: WebGPU wins; its bigger presets are measured while they fit the budget, before the challengers', async () => {
    const { open, workloads } = scripted(realGpu);
    const measurement = (await run(measureBackends(open, { gpus: HARDWARE_WEBGPU }))) as Awaited<ReturnType<typeof measureBackends>>;
    expect(measurement.chosen).toBe('webgpu');
    expect(trialOf(measurement.trials, 'webgl').stepsPerSec).toBeCloseTo(1000 / 60);
    // micro, tiny and small (its estimate fits the ~5 s left of the budget) on the leader at once, then the challengers
    expect(workloads.slice(0, 3)).toEqual(['webgpu:micro@8', 'webgpu:tiny@64', 'webgpu:small@32']);
    expect(workloads.filter((w) => w.startsWith('webgpu'))).toHaveLength(3);
    expect(measurement.presets).toEqual([
      { preset: 'micro', stepsPerSec: 1000 / 15, measured: true },
      { preset: 'tiny', stepsPerSec: 1000 / 40, measured: true },
      { preset: 'small', stepsPerSec: 1000 / 400, measured: true },
    ]);
    expect(measurement.defaultPreset).toBe('small');
  });

  it('leaves a bigger preset estimated when its first step does not fit what is left of the budget', async () => {
    const slowSmall = { ...realGpu, webgpu: { steps: { ...realGpu.webgpu!.steps, small: { first: 7000, each: 400 } } } };
    const { open, workloads } = scripted(slowSmall);
    const measurement = (await run(measureBackends(open, { gpus: HARDWARE_WEBGPU }))) as Awaited<ReturnType<typeof measureBackends>>;
    expect(workloads.slice(0, 3)).toEqual(['webgpu:micro@8', 'webgpu:tiny@64', 'webgpu:small@32']); // tried, cut at the budget
    expect(measurement.presets[2]).toMatchObject({ preset: 'small', measured: false });
    expect(measurement.defaultPreset).toBe('tiny'); // small only estimated
  });

  it('hands the training worker to the page once its backend and presets are measured; the challengers are timed after', async () => {
    const { open, closed, workloads } = scripted({
      wasm: { kept: true, steps: { micro: { first: 500, each: 200 }, tiny: { first: 900, each: 400 } } },
      webgpu: { software: true, shaderMs: 5, steps: { micro: { first: 800, each: 50 }, tiny: { first: 900, each: 100 } } },
    });
    const ready: { measurement: BackendMeasurement; workloads: string[] }[] = [];
    const final = (await run(
      measureBackends(open, {
        gpus: SOFTWARE_GPUS,
        candidates: ['wasm', 'webgpu'],
        onLeaderReady: (measurement) => ready.push({ measurement, workloads: [...workloads] }),
      }),
    )) as BackendMeasurement;
    expect(ready).toHaveLength(1);
    const [{ measurement: provisional, workloads: before }] = ready;
    expect(before).toEqual(['wasm:micro@8', 'wasm:tiny@64']); // no challenger yet
    expect(provisional).toMatchObject({ chosen: 'wasm', defaultPreset: 'tiny' });
    expect(provisional.trials.map((t) => t.name)).toEqual(['wasm']);
    expect(provisional.available).toEqual(['wasm', 'webgpu']); // not yet tried: offered until it fails to start
    expect(provisional.presets[1]).toEqual({ preset: 'tiny', stepsPerSec: 1000 / 400, measured: true });
    // WebGPU wins after all: its presets are measured in its own worker; the training worker stays open
    expect(final.chosen).toBe('webgpu');
    expect(workloads.slice(2, 4)).toEqual(['webgpu:micro@8', 'webgpu:tiny@64']);
    expect(final.presets[1]).toEqual({ preset: 'tiny', stepsPerSec: 1000 / 100, measured: true });
    expect(closed).not.toContain('wasm');
  });

  it('with the backend chosen by the link, only it is measured, and small fits the budget', async () => {
    const { open, workloads } = scripted(realGpu);
    const measurement = (await run(measureBackends(open, { gpus: HARDWARE_WEBGPU, candidates: ['webgpu'] }))) as Awaited<
      ReturnType<typeof measureBackends>
    >;
    expect(workloads).toEqual(['webgpu:micro@8', 'webgpu:tiny@64', 'webgpu:small@32']);
    expect(measurement.presets[2]).toEqual({ preset: 'small', stepsPerSec: 1000 / 400, measured: true });
    expect(measurement.defaultPreset).toBe('small'); // 2.5 steps/s, measured
  });

  it('stops a challenger that has not finished its first step by the deadline, and one that will not start', async () => {
    const { open } = scripted({
      wasm: { steps: { micro: { first: 400, each: 100 } } },
      webgpu: { software: true, shaderMs: 5, hang: true },
      webgl: { unavailable: true },
    });
    const gpus = { webgpu: 'software', webgl: null } as const; // no WebGL context at all
    const measurement = (await run(measureBackends(open, { gpus, candidates: ['wasm', 'webgpu', 'webgl'] }))) as Awaited<
      ReturnType<typeof measureBackends>
    >;
    expect(trialOf(measurement.trials, 'webgpu')).toMatchObject({ outcome: 'stopped', firstStepMs: null, stepsPerSec: null });
    expect(trialOf(measurement.trials, 'webgpu').elapsedMs).toBeLessThan(1500);
    expect(trialOf(measurement.trials, 'webgl').outcome).toBe('unavailable');
    expect(measurement.chosen).toBe('wasm');
    expect(measurement.available).toEqual(['wasm', 'webgpu']);
  });

  it("notes what each measured preset's steps grew the chosen backend's memory to", async () => {
    const { open } = scripted({
      wasm: { heap: { micro: 40e6, tiny: 380e6 }, steps: { micro: { first: 500, each: 200 }, tiny: { first: 900, each: 400 } } },
      webgpu: { software: true, shaderMs: 400 },
    });
    const measurement = (await run(measureBackends(open, { gpus: SOFTWARE_GPUS, candidates: ['wasm', 'webgpu'] }))) as Awaited<
      ReturnType<typeof measureBackends>
    >;
    expect(measurement.chosen).toBe('wasm');
    expect(measurement.heapBytes).toEqual({ micro: 40e6, tiny: 380e6 });
  });

  it('leaves the training worker open when its backend is chosen, and closes it when another wins', async () => {
    const wins = scripted({ wasm: { kept: true, steps: { micro: { first: 500, each: 200 }, tiny: { first: 900, each: 400 } } } });
    const measured = (await run(measureBackends(wins.open, { gpus: SOFTWARE_GPUS, candidates: ['wasm'] }))) as Awaited<
      ReturnType<typeof measureBackends>
    >;
    expect(measured.chosen).toBe('wasm');
    expect(wins.closed).toEqual([]); // the run trains there, warm
    expect(measured.heapBytes).toEqual({}); // a worker that cannot say (not WASM) notes nothing
    const loses = scripted({
      wasm: { kept: true, steps: { micro: { first: 500, each: 200 }, tiny: { first: 900, each: 400 } } },
      webgpu: { software: true, shaderMs: 5, steps: { micro: { first: 800, each: 50 } } },
    });
    const lost = (await run(measureBackends(loses.open, { gpus: SOFTWARE_GPUS, candidates: ['wasm', 'webgpu'] }))) as Awaited<
      ReturnType<typeof measureBackends>
    >;
    expect(lost.chosen).toBe('webgpu');
    expect(loses.closed).toEqual(expect.arrayContaining(['wasm', 'webgpu'])); // the page starts a fresh training worker
  });
});

describe('preset speeds from micro and tiny', () => {
  it('recovers a step cost that is a fixed part (per block) plus a part per FLOP', () => {
    const truth = { fixedMs: 100, msPerFlop: 1e-9 };
    const model = fitStepCost({ micro: estimateStepMs(truth, 'micro'), tiny: estimateStepMs(truth, 'tiny') });
    expect(model.fixedMs).toBeCloseTo(truth.fixedMs, 6);
    expect(model.msPerFlop).toBeCloseTo(truth.msPerFlop, 15);
    expect(estimateStepMs(model, 'small')).toBeCloseTo(estimateStepMs(truth, 'small'), 4);
    // a single point: all of it counted as compute (the slow side)
    expect(fitStepCost({ micro: 200 })).toEqual({ fixedMs: 0, msPerFlop: 200 / presetFlops('micro') });
    // tiny no dearer per block than micro: all launches; dearer than all compute would say: all compute through tiny
    expect(fitStepCost({ micro: 20, tiny: 20 })).toEqual({ fixedMs: 20, msPerFlop: 0 });
    const heavy = fitStepCost({ micro: 1, tiny: 1000 });
    expect(heavy).toEqual({ fixedMs: 0, msPerFlop: 1000 / presetFlops('tiny') });
    expect(() => fitStepCost({ tiny: 40 })).toThrow(/micro/);
  });

  it('counts the FLOPs of the model the default run trains (the bare step times that model too)', () => {
    for (const preset of ['micro', 'tiny'] as const) {
      const trained = browserModel(presetConfig(preset));
      expect(presetFlops(preset)).toBe(stepFlops(trained, planMasks(trained)).total);
      expect(presetFlops(preset)).toBeGreaterThan(stepFlops(presetConfig(preset), planMasks(presetConfig(preset))).total);
    }
  });

  it('opens on the largest preset measured live here, never on an estimate', () => {
    // all fixed cost (a GPU at micro): the model alone would call small fast; only measured figures
    // may choose the default
    const gpu = { fixedMs: 15, msPerFlop: 0 };
    expect(presetSpeeds(gpu, { micro: 15 }).defaultPreset).toBe('micro');
    expect(presetSpeeds(gpu, { micro: 15, tiny: 40 }).defaultPreset).toBe('tiny');
    expect(presetSpeeds(gpu, { micro: 15, tiny: 2100 }).defaultPreset).toBe('micro'); // measured under LIVE_STEPS_PER_SEC
    expect(presetSpeeds(gpu, { micro: 15, tiny: 1000 / LIVE_STEPS_PER_SEC }).defaultPreset).toBe('tiny'); // exactly live
    expect(presetSpeeds(gpu, { micro: 15, tiny: 40, small: 400 }).defaultPreset).toBe('small');
    expect(presetSpeeds({ fixedMs: 150, msPerFlop: 8e-10 }, { micro: 200 }).defaultPreset).toBe('micro');
    expect(presetSpeeds({ fixedMs: 4000, msPerFlop: 0 }, { micro: 4000 }).defaultPreset).toBe('micro'); // nothing is live: the smallest
  });

  it('the fastest measured backend wins; without any measured, the first that started', () => {
    const trial = (name: BackendName, stepsPerSec: number | null, outcome: BackendTrial['outcome'] = 'measured'): BackendTrial => ({
      name,
      adapter: '',
      isSoftware: false,
      threads: null,
      outcome,
      shaderMs: null,
      stepsPerSec,
      firstStepMs: null,
      elapsedMs: 0,
    });
    expect(fastestBackend([trial('wasm', 5), trial('webgpu', 60), trial('cpu', 1)])).toBe('webgpu');
    expect(fastestBackend([trial('webgl', null, 'unavailable'), trial('cpu', null, 'stopped')])).toBe('cpu');
    expect(fastestBackend([trial('webgl', null, 'unavailable')])).toBeNull();
  });
});
