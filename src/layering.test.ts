// The layering of docs/DESIGN.md, enforced: imports point inward only. The engine (src/ijepa)
// imports only tfjs, three plain-TypeScript libraries and itself; data and the worker never import the
// page (nor React, zustand, uPlot); the store never imports what draws; panels never import the UI. A feature folder (src/bench, the ?bench page mode) sits
// with the UI. Test files and their helpers (src/test) may import anything.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname);
const RANK: Record<string, number> = { ijepa: 0, data: 1, worker: 2, store: 3, panels: 4, ui: 5, bench: 5 };
/** Packages the engine may use besides tfjs: plain TypeScript, no DOM; and its own SIMD kernels,
 *  compiled from src/ijepa/fused/simd at build time (tools/simdPlugin.ts). */
const ENGINE_PACKAGES = ['@tensorflow/', 'ml-matrix', 'yaml', 'fflate', 'virtual:simd-kernels'];
/** Packages that draw or hold page state: never below the store. */
const PAGE_PACKAGES = ['react', 'react-dom', 'zustand', 'uplot'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const folderOf = (path: string) => relative(SRC, path).split('/')[0];

/** Every (importing file, imported folder) pair that points outward. */
function violations(): string[] {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    if (!(from in RANK)) continue; // main.tsx and src/test
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|new URL\('([^']+)'/g)) {
      if (!spec) continue;
      if (!spec.startsWith('.')) {
        if (from === 'ijepa' && !ENGINE_PACKAGES.some((p) => spec.startsWith(p))) found.push(`${relative(SRC, file)} imports ${spec}`);
        if (RANK[from] < RANK.store && PAGE_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`)))
          found.push(`${relative(SRC, file)} imports ${spec}`);
        continue;
      }
      const to = folderOf(resolve(file, '..', spec));
      if (to === 'test' || RANK[to] > RANK[from]) found.push(`${relative(SRC, file)} imports ${spec} (${from} -> ${to})`);
    }
  }
  return found;
}

describe('layering', () => {
  it('imports point inward only: ui/bench -> panels -> store -> worker -> data -> ijepa', () => {
    expect(violations()).toEqual([]);
  });
});
