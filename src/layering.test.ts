// The layering of docs/DESIGN.md, enforced: imports point inward only, each to a rank at or below
// its own. Inside the engine (src/ijepa) the fused kernels sit below the model (they import only
// tfjs through ijepa/tf.ts and each other); data and the worker never import the page (nor React,
// zustand, uPlot); src/client (the page's side of the workers) sits below the store, the store below
// what draws, the `?bench` page mode below the UI (main.tsx picks between them). No source file
// imports a test helper (src/test, *.test.ts). Every form of import counts: `import … from`,
// `export … from`, side-effect `import '…'`, `import('…')` and `new URL('…', import.meta.url)`.
// Test files may import anything; main.tsx is the root and imports what it mounts.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname);
/** Rank of a source path (relative to src/): the longest matching prefix decides, so a file or a
 *  subfolder can sit apart from its folder. */
const RANK: Record<string, number> = {
  'ijepa/tf.ts': -2,
  'ijepa/gradientMemory.ts': -2, // part of the tfjs entry point: installed on the engine by tf.ts
  'ijepa/fused': -1,
  ijepa: 0,
  data: 1,
  worker: 2,
  client: 3,
  store: 4,
  panels: 5,
  bench: 6,
  ui: 7,
};
/** Packages the engine may use besides tfjs: plain TypeScript, no DOM; and its own SIMD kernels,
 *  compiled from src/ijepa/fused/simd at build time (tools/simdPlugin.ts). */
const ENGINE_PACKAGES = ['@tensorflow/', 'ml-matrix', 'yaml', 'fflate', 'virtual:simd-kernels'];
/** Packages that draw or hold page state: never below the store. */
const PAGE_PACKAGES = ['react', 'react-dom', 'zustand', 'uplot'];
const IMPORT = /(?:import|export)[^'"]*?from\s+'([^']+)'|import\s+'([^']+)'|import\('([^']+)'\)|new URL\('([^']+)'/g;

const isTest = (path: string) => /\.test\.tsx?$/.test(path) || path.startsWith('test/');

function rankOf(path: string): number | undefined {
  const prefix = Object.keys(RANK)
    .filter((p) => path === p || path.startsWith(`${p}/`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : RANK[prefix];
}

/** The file a relative import names, under src/: itself when it has an extension (a stylesheet, a
 *  worker's URL), else the .ts / .tsx file or the folder's index.ts that `known` holds. */
function importedPath(from: string, spec: string, known: Map<string, string>): string {
  const path = relative(SRC, resolve(SRC, from, '..', spec.split('?')[0]));
  if (/\.(tsx?|css|wasm|json)$/.test(path)) return path;
  return [`${path}.ts`, `${path}.tsx`, `${path}/index.ts`].find((candidate) => known.has(candidate)) ?? `${path}.ts`;
}

/** Every import in `sources` (path under src/ -> text) that points outward, as "file imports spec (why)". */
export function layeringViolations(sources: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of sources) {
    const from = rankOf(file);
    if (from === undefined || isTest(file)) continue;
    for (const match of text.matchAll(IMPORT)) {
      const spec = match.slice(1).find(Boolean)!;
      if (!spec.startsWith('.')) {
        if (file.startsWith('ijepa/') && !ENGINE_PACKAGES.some((p) => spec.startsWith(p))) found.push(`${file} imports ${spec} (engine)`);
        if (from < RANK.store && PAGE_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`)))
          found.push(`${file} imports ${spec} (page package)`);
        continue;
      }
      const to = importedPath(file, spec, sources);
      if (isTest(to)) found.push(`${file} imports ${spec} (test helper)`);
      else if ((rankOf(to) ?? -Infinity) > from) found.push(`${file} imports ${spec} (${from} -> ${rankOf(to)})`);
    }
  }
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('layering', () => {
  it('imports point inward only: ui -> bench -> panels -> store -> client -> worker -> data -> ijepa -> fused -> tf', () => {
    const tree = new Map(sources(SRC).map((path) => [relative(SRC, path), readFileSync(path, 'utf8')]));
    expect(tree.size).toBeGreaterThan(100);
    expect(layeringViolations(tree)).toEqual([]);
  });

  it("loads tfjs' GPU backends only where one is started (a dynamic import): a WASM worker starts without them", () => {
    const GPU_BACKEND = /(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'"]*?'@tensorflow\/tfjs-backend-web(?:gl|gpu)'/;
    const statically = sources(SRC)
      .filter((path) => !isTest(relative(SRC, path)) && GPU_BACKEND.test(readFileSync(path, 'utf8')))
      .map((path) => relative(SRC, path));
    expect(statically).toEqual([]);
    expect(GPU_BACKEND.test("import '@tensorflow/tfjs-backend-webgpu';")).toBe(true); // the rule can fail
    expect(GPU_BACKEND.test("import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';")).toBe(true);
    expect(GPU_BACKEND.test("const load = () => import('@tensorflow/tfjs-backend-webgl');")).toBe(false);
  });

  it('names an arrow that runs back up, in every form of import', () => {
    const tree = new Map([
      ['worker/run/session.ts', "import { useAppStore } from '../../store/appStore';"],
      ['bench/BenchPanel.tsx', "import { Header } from '../ui/Header';"],
      ['ijepa/trainStep.ts', "import { sampleRun } from '../test/sampleRun';"],
      ['ijepa/fused/cpu.ts', "import { createModel } from '../model';"],
      ['data/files.ts', "import '../worker/run/session';"],
      ['worker/dataset/decoderPool.ts', "const worker = new Worker(new URL('../../ui/App.tsx', import.meta.url));"],
      ['store/metrics.ts', "const lazy = () => import('../panels/LossPanel');"],
      ['client/workers.ts', "export { Series } from '../ijepa/masks.test';"],
      ['worker/protocol.ts', "import { create } from 'zustand';"],
      ['ijepa/model.ts', "import { openDB } from 'idb';"],
      ['ui/App.tsx', "import { BenchPanel } from '../bench/BenchPanel';\nimport { layerNorm } from '../ijepa/fused';"], // inward: fine
      ['worker/run/learning.test.ts', "import { App } from '../../ui/App';"], // a test: fine
    ]);
    expect(layeringViolations(tree)).toEqual([
      'worker/run/session.ts imports ../../store/appStore (2 -> 4)',
      'bench/BenchPanel.tsx imports ../ui/Header (6 -> 7)',
      'ijepa/trainStep.ts imports ../test/sampleRun (test helper)',
      'ijepa/fused/cpu.ts imports ../model (-1 -> 0)',
      'data/files.ts imports ../worker/run/session (1 -> 2)',
      'worker/dataset/decoderPool.ts imports ../../ui/App.tsx (2 -> 7)',
      'store/metrics.ts imports ../panels/LossPanel (4 -> 5)',
      'client/workers.ts imports ../ijepa/masks.test (test helper)',
      'worker/protocol.ts imports zustand (page package)',
      'ijepa/model.ts imports idb (engine)',
    ]);
  });
});
