// The WebAssembly SIMD kernels of src/ijepa/fused/simd (AssemblyScript), compiled at build time by the
// AssemblyScript compiler (a devDependency): the page imports `virtual:simd-kernels` and gets both
// binaries, one that imports a shared memory (tfjs' threaded WASM build, when the page is cross-origin
// isolated) and one that imports a plain memory (its single-threaded build, and Node). Vitest runs
// this plugin too, so the unit tests run the same bytes.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import asc from 'assemblyscript/asc';
import type { Plugin } from 'vite';

const VIRTUAL_ID = 'virtual:simd-kernels';
const RESOLVED_ID = '\0' + VIRTUAL_ID;
export const SIMD_SOURCES = resolve(import.meta.dirname, '../src/ijepa/fused/simd');
/** tfjs' threaded build declares a 4 GiB maximum; an import must not declare more. */
const MAX_PAGES = 65536;

/** One binary: no runtime, no static data (nothing of tfjs' heap is written but the outputs). */
export async function compileSimdKernels(shared: boolean): Promise<Uint8Array> {
  let binary: Uint8Array | null = null;
  const { error, stderr } = await asc.main(
    [
      join(SIMD_SOURCES, 'index.ts'),
      ...['--outFile', 'kernels.wasm', '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--initialMemory', '1'],
      ...(shared ? ['--enable', 'simd,threads', '--sharedMemory', '--maximumMemory', String(MAX_PAGES)] : ['--enable', 'simd']),
    ],
    {
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm')) binary = contents as Uint8Array;
      },
    },
  );
  if (error || !binary) throw new Error(`AssemblyScript: ${error?.message ?? 'no binary'}\n${stderr.toString()}`);
  return binary;
}

export function simdKernels(): Plugin {
  return {
    name: 'simd-kernels',
    resolveId: (id) => (id === VIRTUAL_ID ? RESOLVED_ID : null),
    async load(id) {
      if (id !== RESOLVED_ID) return null;
      for (const file of readdirSync(SIMD_SOURCES)) this.addWatchFile(join(SIMD_SOURCES, file));
      const shared = await compileSimdKernels(true);
      const unshared = await compileSimdKernels(false);
      const base64 = (bytes: Uint8Array) => JSON.stringify(Buffer.from(bytes).toString('base64'));
      return `export const shared = ${base64(shared)};\nexport const unshared = ${base64(unshared)};\n`;
    },
  };
}
