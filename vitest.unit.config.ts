import { defineConfig } from 'vitest/config';
import { NODE_SUPPORT_WARNING_OFF, quietNodeSupportWarning } from './sandbox/node-support.ts';

// This process too: the global setup starts SDK clients here, before any worker.
quietNodeSupportWarning();

/**
 * `npm run test:unit`: the tests that need neither DynamoDB Local (Java) nor a sandbox: the domain
 * rules, the simulator driven by the SDK, the stack's Template assertions and cdk-nag. Seconds, not
 * minutes. `npm test` (CI) runs everything.
 */
export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/domain/**/*.test.ts',
      'test/simulator/**/*.test.ts',
      'test/infra/**/*.test.ts',
    ],
    env: { ...NODE_SUPPORT_WARNING_OFF },
    testTimeout: 20_000,
  },
});
