import { defineConfig } from 'vitest/config';
import { NODE_SUPPORT_WARNING_OFF, quietNodeSupportWarning } from './sandbox/node-support.ts';
import LongFirstSequencer from './test/support/long-first-sequencer.ts';

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
    // Vitest's default on 2 cores is one file at a time; most long files here wait on real time
    // (outage windows, timeouts, child processes), so three side by side keep CI well under 20
    // minutes without starving the CPU. VITEST_MAX_WORKERS overrides it.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || 3,
    sequence: { sequencer: LongFirstSequencer },
  },
});
