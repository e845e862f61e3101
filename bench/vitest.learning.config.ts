// The learning benchmark (bench/learning.bench.ts) runs in Node under Vitest, like the unit tests
// (same setup: CPU backend and its fused kernels), but only on request: `npm run bench:learning`.
import { defineConfig } from 'vitest/config';
import base from '../vite.config';

export default defineConfig({ ...base, test: { ...base.test, include: ['bench/learning.bench.ts'] } });
