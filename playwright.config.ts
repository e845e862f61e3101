// End-to-end tests: the production build (vite build + vite preview) in the system Chromium with
// WebGPU on (SwiftShader's software adapter on machines without a GPU). No browser download.
import { defineConfig } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // A safety net only: tests wait on the page's own progress (e2e/app.ts), which fails a stalled page
  // long before this; a busy machine makes a test slower, not red.
  timeout: 1_800_000,
  expect: { timeout: 60_000 },
  workers: 1, // 2 cores: one browser at a time
  retries: 0,
  reporter: [['list'], ['./tools/slowest/playwright.ts']],
  use: {
    baseURL: 'http://127.0.0.1:4173',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: chromium,
      args: [
        '--enable-unsafe-webgpu',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: 'npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
    url: 'http://127.0.0.1:4173',
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
