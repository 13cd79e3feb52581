/**
 * The sender's queue adapter and the SQS calls around it keep the command queue's contract on
 * fauxqs, the sandbox's SQS emulator (set up as the stack sets up SQS); the in-memory SQS of the
 * fast loop passes the same cases (test/unit/support/in-memory/sqs.test.ts). Real seconds pass here.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../../../sandbox/config.js';
import { findFreePort } from '../../../../sandbox/ports.js';
import { startSqsEmulator } from '../../../../sandbox/sqs-emulator.js';
import { CONTRACT_QUEUE, queueContract } from '../../../support/contracts/queue-contract.js';

queueContract('fauxqs (the sandbox’s SQS)', async () => {
  const emulator = await startSqsEmulator({ port: await findFreePort(), ...CONTRACT_QUEUE });
  const sqs = new SQSClient({ endpoint: emulator.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  return {
    sqs,
    queueUrl: emulator.queueUrl,
    deadLetterQueueUrl: emulator.dlqUrl,
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {
      sqs.destroy();
      await emulator.stop();
    },
  };
});
