/**
 * The in-memory SQS keeps the command queue's contract: the same cases run on fauxqs
 * (test/integration/lambdas/adapters/sqs-command-queue.test.ts). Time passes on its own clock.
 */
import { CONTRACT_QUEUE, queueContract } from '../../../support/contracts/queue-contract.js';
import { InMemorySqs } from '../../../support/in-memory/sqs.js';

queueContract('in memory', async () => {
  let nowMs = Date.UTC(2026, 11, 1);
  const sqs = new InMemorySqs(() => nowMs);
  const dlq = sqs.createQueue('commands-dlq.fifo', { visibilityTimeoutSeconds: 30 });
  const queue = sqs.createQueue('commands.fifo', {
    visibilityTimeoutSeconds: CONTRACT_QUEUE.visibilityTimeoutSeconds,
    maxReceiveCount: CONTRACT_QUEUE.maxReceiveCount,
    deadLetterQueue: 'commands-dlq.fifo',
  });
  return {
    sqs: sqs.client(),
    queueUrl: queue.url,
    deadLetterQueueUrl: dlq.url,
    advance: async (ms) => void (nowMs += ms),
    close: async () => {},
  };
});
