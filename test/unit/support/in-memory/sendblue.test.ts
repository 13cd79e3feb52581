/**
 * The in-memory Sendblue keeps the Sendblue port's contract: the same cases run on the real
 * client over HTTP (test/unit/lambdas/adapters/sendblue-client.test.ts). Its clock moves only
 * when a case lets time pass, or a hung call waits out its timeout.
 */
import {
  CONTRACT_LINE,
  CONTRACT_RETRY_AFTER_SECONDS,
  sendblueContract,
} from '../../../support/contracts/sendblue-contract.js';
import { createInMemorySendblue } from '../../../support/in-memory/sendblue.js';

sendblueContract('in memory', async () => {
  let nowMs = Date.now();
  const sendblue = createInMemorySendblue({
    lines: [CONTRACT_LINE],
    now: () => nowMs,
    sleep: async (ms) => void (nowMs += ms),
    timeoutMs: 200,
    lineRateLimit: false,
    retryAfterSeconds: CONTRACT_RETRY_AFTER_SECONDS,
  });
  return {
    api: sendblue.api,
    createGroup: (members, name) => sendblue.createGroup(members, name),
    setLineState: (line, status) => sendblue.setLineState(line, status),
    injectFault: (fault) => sendblue.faults.inject(fault),
    sentMessages: () => sendblue.sentMessages(),
    group: (id) => sendblue.group(id),
    advance: async (ms) => void (nowMs += ms),
    close: async () => {},
  };
});
