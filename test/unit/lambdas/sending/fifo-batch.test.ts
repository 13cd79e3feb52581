import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { runFifoBatch, type RecordResult } from '../../../../lambdas/sending/fifo-batch.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';

const record = (id: string, group: string): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: '{}',
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn',
  awsRegion: 'us-east-1',
  messageAttributes: {},
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 's',
    ApproximateFirstReceiveTimestamp: '0',
    MessageGroupId: group,
  },
});

async function run(records: SQSRecord[], failing: Set<string>, delayMs = 0) {
  const processed: string[] = [];
  const delayed: Array<[string, number]> = [];
  const failed = await runFifoBatch(
    records,
    async (r): Promise<RecordResult> => {
      processed.push(`start ${r.messageId}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      processed.push(`end ${r.messageId}`);
      return failing.has(r.messageId) ? { done: false, retryAfterSeconds: 7 } : { done: true };
    },
    async (handle, seconds) => {
      delayed.push([handle, seconds]);
    },
    silentLogger,
  );
  return { failed, processed, delayed };
}

describe('runFifoBatch', () => {
  it('runs a group in order and holds back the rest of a group after a retry, not other groups', async () => {
    const records = [record('a1', 'A'), record('b1', 'B'), record('a2', 'A'), record('a3', 'A'), record('b2', 'B')];
    const { failed, processed, delayed } = await run(records, new Set(['a2']));
    expect(failed).toEqual(['a2', 'a3']);
    expect(processed).not.toContain('start a3');
    expect(processed.indexOf('end a1')).toBeLessThan(processed.indexOf('start a2'));
    expect(processed).toContain('end b2');
    expect(delayed).toEqual([
      ['rh-a2', 7],
      ['rh-a3', 7],
    ]);
  });

  it('runs different groups side by side', async () => {
    const { processed } = await run([record('a1', 'A'), record('b1', 'B')], new Set(), 20);
    expect(processed.slice(0, 2).sort()).toEqual(['start a1', 'start b1']);
  });

  it('reports nothing when every record is done', async () => {
    expect((await run([record('a1', 'A')], new Set())).failed).toEqual([]);
  });
});
