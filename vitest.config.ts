import { defineConfig } from 'vitest/config';
import { NODE_SUPPORT_WARNING_OFF, quietNodeSupportWarning } from './sandbox/node-support.ts';

// This process too: the global setup starts SDK clients here, before any worker.
quietNodeSupportWarning();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // No Node-20 SDK warning in every worker and child process (sandbox/node-support.ts).
    env: { ...NODE_SUPPORT_WARNING_OFF },
    // One DynamoDB Local (Java) for the whole run; each test file creates its own tables in it.
    globalSetup: ['test/support/global-setup.ts'],
    // DynamoDB Local answers in ~2-4 s; tests that start a whole sandbox need a few of those.
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
