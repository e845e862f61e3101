/// <reference types="vitest/config" />
// Vite builds the page; Vitest (configured here too) runs the unit tests in Node on the tfjs CPU backend.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { mnistDigits } from './tools/digitsPlugin.ts';
import { simdKernels } from './tools/simdPlugin.ts';

/** Nothing may leave the page's origin: the production build carries a Content-Security-Policy
 *  that forbids it (dev mode is left without one: Vite's dev client injects inline scripts). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:", // tfjs' WASM threads start from a blob: script
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/** Cross-origin isolation (SharedArrayBuffer) lets tfjs run its threaded WASM binary on every core. A
 *  static host must send the same two headers (README, "Hosting"). */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`,
      ),
  };
}

/** tfjs starts its WASM threads from `factory.toString()` (the threaded glue, evaluated again in a blob
 *  worker). The glue's factory reads `_scriptDir` from the closure around it, guarded by `typeof`;
 *  once minified, that guard becomes a plain read of a renamed closure variable, which the blob worker
 *  does not have ("e is not defined"), and no thread starts. Leaving `_scriptDir` to the global scope
 *  keeps the guard; tfjs passes the script and the .wasm paths itself. Pinned to tfjs 4.22.0: the
 *  build fails loudly if the glue no longer has the line. */
function wasmThreadsSurviveMinification(): Plugin {
  const closureVariable =
    "var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;";
  return {
    name: 'wasm-threads-survive-minification',
    apply: 'build',
    transform(code, id) {
      if (!id.includes('tfjs-backend-wasm-threaded-simd.js')) return null;
      if (!code.includes(closureVariable))
        throw new Error(`${id}: the tfjs WASM glue changed; see wasmThreadsSurviveMinification in vite.config.ts`);
      return code.replace(closureVariable, '').replace("if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;", '');
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy(), wasmThreadsSurviveMinification(), mnistDigits(), simdKernels()],
  base: './',
  worker: { format: 'es', plugins: () => [wasmThreadsSurviveMinification(), mnistDigits(), simdKernels()] }, // workers are bundled with their own plugins
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { headers: CROSS_ORIGIN_ISOLATION },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: CROSS_ORIGIN_ISOLATION },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/test/setupTf.ts'],
    reporters: ['default', './tools/slowest/vitest.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // one module graph for every test file: tfjs and the backends load once, not 57 times (226 -> 143 s
    // here, idle); a test that changes global state (the backend, the fused kernels' switch, a stubbed
    // global) puts it back in a finally / afterEach
    isolate: false,
  },
});
