// The step profile (bench/profile.bench.ts) runs in Node under Vitest, like the unit tests, but only on
// request: `npm run bench:profile`.
import { defineConfig } from 'vitest/config';
import base from '../vite.config';

export default defineConfig({ ...base, test: { ...base.test, include: ['bench/profile.bench.ts'] } });
