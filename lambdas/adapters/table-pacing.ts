import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { linePaceKey } from '../contract/keys.js';
import { intervalMs, pausedTat, slotFor, type PacingSettings, type Reservation } from '../sending/line-pacing.js';
import type { LineSlots } from '../sending/ports.js';
import { conditionFailureItem, isConditionalFailure } from './update-expression.js';

/**
 * The pacing part of the table module: one item per line holds its `tat` (line-pacing.ts). A slot
 * costs one conditional UpdateItem: "idle" (tat <= now: tat = now + interval) or "busy"
 * (now < tat <= now + horizon: tat += interval), whichever the container last saw; a wrong guess
 * costs a second write. No read before the write.
 */
export function createPacingTable(db: DynamoDBDocumentClient, TableName: string): LineSlots {
  /** The tat last seen per line in this container: which write to try first. */
  const lastSeen = new Map<string, number>();

  async function tryWrite(
    line: string,
    expression: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ) {
    try {
      const out = await db.send(
        new UpdateCommand({
          TableName,
          Key: linePaceKey(line),
          ...expression,
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true as const, tat: Number(out.Attributes?.tat) };
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      const item = conditionFailureItem<{ tat?: number }>(error);
      return { ok: false as const, tat: item?.tat === undefined ? undefined : Number(item.tat) };
    }
  }

  return {
    async reserveLineSlot(line: string, nowMs: number, settings: PacingSettings): Promise<Reservation> {
      const interval = intervalMs(settings);
      const limit = nowMs + settings.horizonMs;
      let busy = (lastSeen.get(line) ?? 0) > nowMs;
      // Two shapes, and the line may change between them: a few tries settle it.
      for (let tries = 0; tries < 4; tries += 1) {
        if (!busy) {
          const idle = await tryWrite(line, {
            UpdateExpression: 'SET #tat = :next, #line = :line',
            ConditionExpression: 'attribute_not_exists(#tat) OR #tat <= :now',
            ExpressionAttributeNames: { '#tat': 'tat', '#line': 'line' },
            ExpressionAttributeValues: { ':next': nowMs + interval, ':now': nowMs, ':line': line },
          });
          if (idle.ok) {
            lastSeen.set(line, idle.tat);
            return { kind: 'slot', slotAt: nowMs };
          }
          busy = true;
          if (idle.tat !== undefined && idle.tat > limit) return beyond(line, idle.tat, settings);
          continue;
        }
        const taken = await tryWrite(line, {
          UpdateExpression: 'SET #tat = #tat + :interval',
          ConditionExpression: '#tat > :now AND #tat <= :limit',
          ExpressionAttributeNames: { '#tat': 'tat' },
          ExpressionAttributeValues: { ':interval': interval, ':now': nowMs, ':limit': limit },
        });
        if (taken.ok) {
          lastSeen.set(line, taken.tat);
          return { kind: 'slot', slotAt: slotFor(taken.tat - interval, nowMs, settings) };
        }
        if (taken.tat !== undefined && taken.tat > limit) return beyond(line, taken.tat, settings);
        busy = false; // idle again (or never written)
      }
      throw new Error(`could not take a send slot on the line (${line.length} chars): it changed on every try`);
    },

    /** After a 429: no slot before `untilMs` (moves `tat` forward, never back). */
    async pauseLine(line: string, untilMs: number, settings: PacingSettings): Promise<void> {
      const tat = pausedTat(untilMs, settings);
      await tryWrite(line, {
        UpdateExpression: 'SET #tat = :tat, #line = :line',
        ConditionExpression: 'attribute_not_exists(#tat) OR #tat < :tat',
        ExpressionAttributeNames: { '#tat': 'tat', '#line': 'line' },
        ExpressionAttributeValues: { ':tat': tat, ':line': line },
      });
      lastSeen.set(line, tat);
    },
  };

  function beyond(line: string, tat: number, settings: PacingSettings): Reservation {
    lastSeen.set(line, tat);
    // Back when the backlog ahead of it is within the horizon again.
    return { kind: 'beyond-horizon', retryAt: tat - settings.horizonMs };
  }
}
