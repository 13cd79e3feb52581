import { defineConfig } from 'vitest/config';
import { NODE_SUPPORT_WARNING_OFF, quietNodeSupportWarning } from './sandbox/node-support.ts';

// This process too: the global setup starts SDK clients here, before any worker.
quietNodeSupportWarning();

/**
 * `npm run test:unit`: the tests that need neither DynamoDB Local (Java) nor a sandbox (test/unit/:
 * the domain rules, the stack's Template assertions and cdk-nag, the page logic, the client's
 * requests, the simulator driven by the SDK). No global setup: nothing starts
 * Java. `npm test` (CI) runs everything, test/integration/ included.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    env: { ...NODE_SUPPORT_WARNING_OFF },
    testTimeout: 20_000,
    // Worker threads, not child processes: most of a unit file's time is importing aws-cdk-lib and
    // the SDK, and threads start and load faster (measured on 2 cores: 1 m 41 s instead of 2 m 4 s).
    // Nothing here changes directory or needs a process of its own.
    pool: 'threads',
  },
});
