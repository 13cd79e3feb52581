/**
 * The real Sendblue client (the official SDK) over HTTP on the simulator keeps the Sendblue port's
 * contract; the in-memory Sendblue of the fast loop passes the same cases
 * (test/unit/support/in-memory/sendblue.test.ts), so the two answer alike.
 */
import { createSendblueClient } from '../../../../lambdas/adapters/sendblue-client.js';
import { startSendblueSimulator } from '../../../../sandbox/sendblue-simulator/index.js';
import {
  CONTRACT_LINE,
  CONTRACT_RETRY_AFTER_SECONDS,
  sendblueContract,
} from '../../../support/contracts/sendblue-contract.js';

const credentials = { apiKeyId: 'contract-key', apiSecretKey: 'contract-secret' };

sendblueContract('the SDK client over HTTP, on the simulator', async () => {
  const sim = await startSendblueSimulator({
    ...credentials,
    lines: [CONTRACT_LINE],
    lineRateLimit: false,
    retryAfterSeconds: CONTRACT_RETRY_AFTER_SECONDS,
    statusDelaysMs: { sent: 60_000, delivered: 120_000 },
  });
  return {
    api: createSendblueClient({ credentials: async () => credentials, baseUrl: sim.url, timeoutMs: 500 }),
    createGroup: (members, name) => sim.createGroup(members, name),
    setLineState: (line, status) => sim.setLineState(line, status),
    injectFault: (fault) => sim.injectFault(fault),
    sentMessages: () => sim.sentMessages(),
    group: (id) => sim.group(id),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: () => sim.stop(),
  };
});
