import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Timeouts catch hangs, not slowness: on a busy two-core machine (the bench beside the
    // suite) a district-sized step takes several times its idle time. Waits inside tests wait
    // for conditions; these bound a whole test or hook.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // Two cores: keep solver-heavy files from starving each other.
    maxWorkers: 2,
  },
});
