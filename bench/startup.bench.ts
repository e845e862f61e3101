// The startup benchmark: what a person waits for on this machine. In one run:
// (1) the default URL and `?preset=tiny`, each in a fresh page (a first visit): page load -> the backend
//     measurement, -> Train enabled, -> the first completed step (Train pressed from inside the page
//     as soon as it is enabled), -> the first evaluation result; the measurement's figures; Pause latency against the
//     step time; then the default URL again in the same browser profile (a return visit: the
//     measurement remembered);
// (2) `tiny` on WASM with one thread and with all (`?wasmThreads=1`), ms per step after warm-up;
// (3) importing a generated folder of 20,000 small PNGs (28x28, ten class folders) with one decoder
//     and with one per core (`?decoders=1`).
// Figures only, never a pass or fail on a time. Writes bench/results/startup[-NAME].json and .md.
// Run: npm run bench:startup
//   BENCH_BUSY_CORE=1 (a background process keeps one core busy during the run, as on a shared CI
//   machine)  BENCH_IMPORT_IMAGES=20000  BENCH_OUT=name  BENCH_STARTUP_ONLY=1 (part 1 only)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type Page } from '@playwright/test';
import { read, waitForDatasetCount, waitForPage, waitForStatus } from '../e2e/app';
import { encodePng } from '../e2e/fixtures/png';
import type { BackendMeasurement } from '../src/client/backendChoice';
import { describeBackends, describePresets } from '../src/ui/machineText';

const env = process.env;
const IMPORT_IMAGES = Number(env.BENCH_IMPORT_IMAGES ?? 20_000);
/** BENCH_REPEAT=n: the three startup rows n times (single runs on this shared machine differ by ~1 s);
 *  BENCH_FIRST_EVALUATION=0: not waiting ~100 s a row for the first evaluation. */
const REPEAT = Math.max(1, Number(env.BENCH_REPEAT ?? 1));
const WAIT_FOR_EVALUATION = env.BENCH_FIRST_EVALUATION !== '0';

interface StartupFigures {
  url: string;
  visit: 'first' | 'return'; // a return visit recalls the measurement this browser remembered
  measuredMs: number | null; // page load -> what the page opens on measured (the first backend and its presets)
  allMeasuredMs: number | null; // -> every backend timed (the others after the page opened)
  readyMs: number; // -> Train enabled
  firstStepMs: number; // -> the first completed step
  polledFirstStepMs: number; // the same as this bench saw it by polling
  trainPressedMs: number | null; // the click on Train, as the page noted it
  firstEvaluationMs: number | null; // -> the first evaluation result on the page (null: not waited for)
  compileMs: number | null; // the page's own "Kernel compile + first step"
  backend: string;
  preset: string;
  stepMs: number; // median after the first
  pauseMs: number; // Pause clicked -> the page says paused
  measurement: BackendMeasurement | null;
}

/** Milliseconds since the page's navigation started (the page's own clock). */
const pageNow = (page: Page) => page.evaluate(() => performance.now());

/** Presses Train from inside the page the moment it is enabled, as a person pressing at once would:
 *  this bench's polling of a page still busy drawing read "enabled" up to 1.2 s late (measured). */
function pressTrainWhenEnabled(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const press = () => {
          const button = document.querySelector('[data-testid=train-button]') as HTMLButtonElement | null;
          if (!window.__ijepa?.backend() || !button || button.disabled) return false;
          button.click();
          resolve();
          return true;
        };
        if (press()) return;
        const observer = new MutationObserver(() => press() && observer.disconnect());
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
      }),
  );
}

async function startup(page: Page, query: string, visit: 'first' | 'return' = 'first'): Promise<StartupFigures> {
  await page.goto(`/?${query}`);
  const pressed = pressTrainWhenEnabled(page);
  let measuredMs: number | null = null;
  await waitForPage(
    page,
    async () => {
      const ready = await page.evaluate(
        () =>
          Boolean(window.__ijepa?.backend()) &&
          !(document.querySelector('[data-testid=train-button]') as HTMLButtonElement | null)?.disabled,
      );
      if (measuredMs === null && (await page.evaluate(() => window.__ijepa?.startup().measurement != null)))
        measuredMs = await pageNow(page);
      return ready;
    },
    'Train to be enabled',
  );
  const readyMs = await pageNow(page);
  await pressed;
  await waitForStatus(page, (s) => s.step >= 1);
  const firstStepMs = await pageNow(page);
  let firstEvaluationMs: number | null = null;
  if (WAIT_FOR_EVALUATION) {
    await waitForPage(page, async () => (await read(page, 'qualitySteps')).length > 0, 'the first evaluation');
    firstEvaluationMs = await pageNow(page);
  }
  await waitForStatus(page, (s) => s.step >= 4);
  const clicked = Date.now();
  await page.getByTestId('train-button').click();
  const status = await waitForStatus(page, (s) => s.phase === 'paused');
  const pauseMs = Date.now() - clicked;
  const times = (await read(page, 'stepTimes')).slice(1).sort((a, b) => a - b);
  const startupState = await read(page, 'startup');
  // the page's own timestamps where it kept them: the polling above reads each moment up to a poll
  // interval and a page round trip late (0.5-0.9 s for the first step, measured)
  const { timeline } = startupState;
  return {
    url: `/?${query}`,
    visit,
    measuredMs: timeline.measured ?? measuredMs,
    allMeasuredMs: timeline.allMeasured ?? null, // absent before the page had it
    readyMs: timeline.ready ?? readyMs,
    firstStepMs: timeline.firstStep ?? firstStepMs,
    polledFirstStepMs: firstStepMs,
    trainPressedMs: timeline.trainPressed,
    firstEvaluationMs,
    compileMs: status.compileMs,
    backend: (await read(page, 'backend'))!.name,
    preset: await read(page, 'preset'),
    stepMs: times[Math.floor(times.length / 2)],
    pauseMs,
    measurement: startupState.measurement,
  };
}

/** Median ms per step of `tiny` on WASM after two warm-up steps, with `threads` (undefined: all). */
async function wasmTiny(page: Page, threads: number | undefined): Promise<{ threads: number; stepMs: number }> {
  await page.goto(`/?backend=wasm&preset=tiny&recipe=reference&evalEvery=0&testHooks=1${threads ? `&wasmThreads=${threads}` : ''}`);
  await waitForPage(page, async () => Boolean(await page.evaluate(() => window.__ijepa?.backend())), 'the trainer');
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.step >= 8);
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.phase === 'paused');
  const times = (await read(page, 'stepTimes')).slice(2).sort((a, b) => a - b);
  return { threads: (await read(page, 'backend'))!.threads!, stepMs: times[Math.floor(times.length / 2)] };
}

/** A folder of `count` 28x28 PNGs in ten class folders (made once, kept in the temp folder). */
function importFolder(count: number): string {
  const root = join(tmpdir(), `ijepa-import-${count}`);
  if (existsSync(join(root, 'done'))) return root;
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    const dir = join(root, `class-${label}`);
    if (i < 10) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${i}.png`),
      encodePng(28, 28, (x, y) => {
        const v = (x * (label + 1) + y * 7 + i) % 256;
        return [v, (v * 3) % 256, 255 - v];
      }),
    );
  }
  writeFileSync(join(root, 'done'), '');
  return root;
}

async function importRate(
  page: Page,
  folder: string,
  decoders: number | undefined,
): Promise<{ decoders: number; images: number; seconds: number; imagesPerSec: number }> {
  await page.goto(`/?backend=wasm&preset=micro&recipe=reference&evalEvery=0&testHooks=1${decoders ? `&decoders=${decoders}` : ''}`);
  await waitForPage(page, async () => Boolean(await page.evaluate(() => window.__ijepa?.backend())), 'the trainer');
  await page.getByTestId('folder-input').setInputFiles(folder);
  await waitForDatasetCount(page, IMPORT_IMAGES);
  await waitForPage(page, async () => (await read(page, 'importProgress'))?.running === false, 'the import to end');
  const progress = (await read(page, 'importProgress'))!;
  return {
    decoders: progress.decoders,
    images: progress.done,
    seconds: progress.done / progress.imagesPerSec,
    imagesPerSec: progress.imagesPerSec,
  };
}

const s = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

function markdown(figures: {
  startup: StartupFigures[];
  wasm: Awaited<ReturnType<typeof wasmTiny>>[];
  imports: Awaited<ReturnType<typeof importRate>>[];
  busyCore: boolean;
  date: string;
  userAgent: string;
}): string {
  const lines = [
    `# Startup benchmark (${figures.date})`,
    '',
    `${figures.userAgent}; ${figures.busyCore ? 'one core kept busy by another process' : 'machine otherwise idle'}.`,
    '',
    '| URL | visit | backend, preset | measured | all measured | Train enabled | Train pressed | first step | first step, polled | first evaluation | compile + first step | ms/step | Pause |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const f of figures.startup)
    lines.push(
      `| \`${f.url}\` | ${f.visit} | ${f.backend}, ${f.preset} | ${s(f.measuredMs)} | ${s(f.allMeasuredMs)} | ${s(f.readyMs)} | ${s(f.trainPressedMs)} | ${s(f.firstStepMs)} | ${s(f.polledFirstStepMs)} | ${s(f.firstEvaluationMs)} | ${s(f.compileMs)} | ${f.stepMs.toFixed(0)} | ${f.pauseMs} ms |`,
    );
  lines.push(
    '',
    "Times from page load, as the page noted them on its own clock; 'polled': the first step as this bench saw it, polling the page after Playwright's click.",
    '',
  );
  const rows = new Map<string, StartupFigures[]>();
  for (const f of figures.startup) rows.set(`\`${f.url}\`, ${f.visit} visit`, [...(rows.get(`\`${f.url}\`, ${f.visit} visit`) ?? []), f]);
  if ([...rows.values()].some((r) => r.length > 1)) {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
    for (const [row, runs] of rows)
      lines.push(
        `- ${row}, median of ${runs.length}: Train enabled ${s(median(runs.map((f) => f.readyMs)))}, first step ${s(median(runs.map((f) => f.firstStepMs)))}`,
      );
    lines.push('');
  }
  for (const f of figures.startup)
    if (f.measurement && f.visit === 'first')
      lines.push(`- \`${f.url}\`: ${describeBackends(f.measurement)}. ${describePresets(f.measurement, null)}`);
  if (figures.wasm.length > 0) lines.push('', '| tiny on WASM | ms/step |', '|---|---|');
  for (const w of figures.wasm) lines.push(`| ${w.threads} thread${w.threads === 1 ? '' : 's'} | ${w.stepMs.toFixed(0)} |`);
  if (figures.wasm.length === 2)
    lines.push('', `Threaded vs single-threaded: ${(figures.wasm[1].stepMs / figures.wasm[0].stepMs).toFixed(2)}x as fast.`);
  if (figures.imports.length > 0)
    lines.push('', `| import of ${IMPORT_IMAGES} PNGs (28x28, 10 folders) | images/s | seconds |`, '|---|---|---|');
  for (const i of figures.imports)
    lines.push(`| ${i.decoders} decoder${i.decoders === 1 ? '' : 's'} | ${i.imagesPerSec.toFixed(0)} | ${i.seconds.toFixed(1)} |`);
  if (figures.imports.length === 2)
    lines.push('', `All decoders vs one: ${(figures.imports[1].imagesPerSec / figures.imports[0].imagesPerSec).toFixed(2)}x the images/s.`);
  return `${lines.join('\n')}\n`;
}

function writeResults(figures: Parameters<typeof markdown>[0], busyCore: boolean): void {
  const text = markdown(figures);
  console.log(`\n${text}`);
  mkdirSync('bench/results', { recursive: true });
  const name = `bench/results/${env.BENCH_OUT ?? `startup${busyCore ? '-busy-core' : ''}`}`;
  writeFileSync(`${name}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(`${name}.md`, text);
  console.log(`[startup] wrote ${name}.json and ${name}.md`);
}

test('startup benchmark', async ({ browser }) => {
  test.setTimeout(3 * 60 * 60_000);
  let busy: ChildProcess | null = null;
  if (env.BENCH_BUSY_CORE === '1') busy = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  try {
    const fresh = async <T>(fn: (page: Page) => Promise<T>): Promise<T> => {
      const context = await browser.newContext(); // no saved run, no cache: a first visit
      try {
        return await fn(await context.newPage());
      } finally {
        await context.close();
      }
    };
    const figures = {
      date: new Date().toISOString(),
      userAgent: '',
      busyCore: busy !== null,
      startup: [] as StartupFigures[],
      wasm: [] as Awaited<ReturnType<typeof wasmTiny>>[],
      imports: [] as Awaited<ReturnType<typeof importRate>>[],
    };
    const keep = (f: StartupFigures) => {
      console.log(`[startup] ${JSON.stringify({ ...f, measurement: undefined })}`);
      figures.startup.push(f);
    };
    for (let round = 0; round < REPEAT; round++) {
      await fresh(async (page) => {
        keep(await startup(page, 'testHooks=1'));
        keep(await startup(page, 'testHooks=1', 'return')); // the same profile: what it remembered
      });
      keep(await fresh((page) => startup(page, 'preset=tiny&testHooks=1')));
    }
    figures.userAgent = await fresh((page) => page.evaluate(() => navigator.userAgent));
    if (env.BENCH_STARTUP_ONLY === '1') {
      writeResults(figures, busy !== null);
      return;
    }
    for (const threads of [undefined, 1]) {
      const w = await fresh((page) => wasmTiny(page, threads));
      console.log(`[startup] tiny on WASM: ${JSON.stringify(w)}`);
      figures.wasm.push(w);
    }
    const folder = importFolder(IMPORT_IMAGES);
    for (const decoders of [1, undefined]) {
      const i = await fresh((page) => importRate(page, folder, decoders));
      console.log(`[startup] import: ${JSON.stringify(i)}`);
      figures.imports.push(i);
    }
    writeResults(figures, busy !== null);
  } finally {
    busy?.kill();
  }
});
