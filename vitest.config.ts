import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local (Java) for the whole run; each test file creates its own tables in it.
    globalSetup: ['test/support/global-setup.ts'],
    // DynamoDB Local answers in ~2-4 s; tests that start a whole sandbox need a few of those.
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
