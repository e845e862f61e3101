// Benchmarks: the production build in headless Chromium with WebGPU. They print figures and write
// bench/results/; they never pass or fail on a time.
import { defineConfig } from '@playwright/test';
import base from '../playwright.config';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.bench.ts',
  timeout: 30 * 60_000,
  outputDir: '../test-results/bench',
  reporter: [['list']], // the tests' slowest-test reporter is a path relative to the repository root, which this config is not in
  webServer: { ...(base.webServer as object), cwd: process.cwd() } as typeof base.webServer, // npm runs benches from the repository root
});
