// The learning benchmarks (bench/learning.bench.ts: one run; bench/learningSweep.bench.ts: many, and
// the table) run in Node under Vitest, like the unit tests (same setup), but only on request:
// `npm run bench:learning`, `npm run bench:learning:sweep`.
import { defineConfig } from 'vitest/config';
import base from '../vite.config';

export default defineConfig({ ...base, test: { ...base.test, include: ['bench/learning*.bench.ts'] } });
