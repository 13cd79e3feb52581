/**
 * The sandbox page's failed commands (sandbox/failed-commands.ts) on DynamoDB Local and the SQS
 * emulator: failed ledger entries joined with their DLQ letters (the body says what was meant),
 * letters with no failed entry, and a peek that leaves the DLQ as it was.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lambdas/contract/dead-letters.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../../sandbox/config.js';
import { sandboxFailedCommands } from '../../../sandbox/failed-commands.js';
import { findFreePort } from '../../../sandbox/ports.js';
import { startSqsEmulator, type RunningSqsEmulator } from '../../../sandbox/sqs-emulator.js';
import { freshTable } from '../../support/table-for-test.js';

describe('sandboxFailedCommands', () => {
  let emulator: RunningSqsEmulator;
  let sqs: SQSClient;
  beforeAll(async () => {
    emulator = await startSqsEmulator({ port: await findFreePort() });
    sqs = new SQSClient({ endpoint: emulator.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  });
  afterAll(async () => {
    sqs?.destroy();
    await emulator?.stop();
  });

  const deadLetter = (commandId: string, body: unknown, reason: string) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: emulator.dlqUrl,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
        MessageGroupId: commandId,
        MessageDeduplicationId: commandId,
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.commandId]: { DataType: 'String', StringValue: commandId },
          [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: 'String', StringValue: reason },
          [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: 'String', StringValue: '2026-03-01T10:00:00.000Z' },
        },
      }),
    );

  it('joins failed ledger entries with their DLQ bodies, adds DLQ letters the ledger has no failure for, and hides nothing', async () => {
    const { store, documentClient, tableName } = await freshTable();
    const list = sandboxFailedCommands({ db: documentClient, tableName, peekDeadLetters: emulator.peekDeadLetters });
    expect(await list()).toEqual([]);

    // Failed in the ledger, its body on the DLQ: a send to new numbers.
    await store.recordRejectedCommand('c-new-group', 'send_group_message', 'invalid command: numbers: +1 is not E.164');
    await deadLetter(
      'c-new-group',
      { type: 'send_group_message', command_id: 'c-new-group', numbers: ['+15551230001', '+1'], content: 'Hello' },
      'invalid command: numbers: +1 is not E.164',
    );
    // Failed in the ledger, nothing on the DLQ (redriven, or the letter was removed).
    await store.recordRejectedCommand('c-gone', 'modify_group', 'invalid command: modify_type "leave" cannot be done');
    // On the DLQ only: a command refused because its id belonged to another command.
    await deadLetter(
      'c-reused',
      { type: 'modify_group', group_id: 'g-1', modify_type: 'add_recipient', number: '+15551230004' },
      'command_id c-reused is already used by a different command; this one was refused and not sent',
    );
    // Not JSON at all.
    await deadLetter('c-junk', 'not json', 'invalid command: the message body is not JSON');

    const failed = await list();
    const byId = Object.fromEntries(failed.map((entry) => [entry.command_id, entry]));
    expect(Object.keys(byId).sort()).toEqual(['c-gone', 'c-junk', 'c-new-group', 'c-reused']);
    expect(byId['c-new-group']).toMatchObject({
      type: 'send_group_message',
      group_id: null,
      numbers: ['+15551230001', '+1'],
      content: 'Hello',
      reason: 'invalid command: numbers: +1 is not E.164',
    });
    expect(byId['c-gone']).toMatchObject({
      type: 'modify_group',
      content: null,
      numbers: null,
      reason: expect.stringMatching(/leave/),
    });
    expect(byId['c-reused']).toMatchObject({
      type: 'modify_group',
      group_id: 'g-1',
      modify_type: 'add_recipient',
      number: '+15551230004',
      reason: expect.stringMatching(/already used by a different command/),
      at: '2026-03-01T10:00:00.000Z',
    });
    expect(byId['c-junk']).toMatchObject({ type: 'unknown', content: null, reason: expect.stringMatching(/not JSON/) });

    // The peek received nothing: every letter is still there for `cli dlq` (one per message group).
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emulator.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    expect(out.Messages?.length).toBe(3);
  });
});
