/**
 * SANDBOX ONLY: the lines paused by a Sendblue outage right now (their circuit breaker open,
 * lambdas/sending/line-breaker.ts), for the sandbox page's banner. A Scan of the lines' pacing
 * items, so it lives here; in AWS the LinePaused alarm and the dashboard say the same.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../lambdas/contract/table-schema.js';
import { breakerOf } from '../lambdas/adapters/table-pacing.js';
import type { PagePausedLine } from './page/page-logic.js';

export type ListPausedLines = () => Promise<PagePausedLine[]>;

const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;

export function sandboxPausedLines(db: DynamoDBDocumentClient, TableName: string): ListPausedLines {
  return async function listPausedLines() {
    const paused: PagePausedLine[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new ScanCommand({
          TableName,
          FilterExpression: 'begins_with(#pk, :line) AND #sk = :pace AND attribute_exists(outage_since)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':line': 'LINE#', ':pace': 'PACE' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const breaker = breakerOf(item);
        if (breaker.openSince === undefined) continue;
        paused.push({
          line: typeof item.line === 'string' ? item.line : String(item[PK]).slice('LINE#'.length),
          since: new Date(breaker.openSince).toISOString(),
          reason: breaker.reason ?? null,
          probe_every_s: Math.round((breaker.probeGapMs ?? 0) / 1000),
          next_probe_at: breaker.probeAt === undefined ? null : new Date(breaker.probeAt).toISOString(),
        });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return paused.sort((a, b) => a.line.localeCompare(b.line));
  };
}
