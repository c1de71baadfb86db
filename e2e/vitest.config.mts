import { defineConfig } from 'vitest/config';

// End-to-end tests run real containers as root; files run one at a time so that
// timing-sensitive checks are not starved on a 2-core machine.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
