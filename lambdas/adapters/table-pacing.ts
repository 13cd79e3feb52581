import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { linePaceKey } from '../contract/keys.js';
import { CLOSED_BREAKER, type LineBreaker } from '../sending/line-breaker.js';
import { intervalMs, pausedTat, slotFor, type PacingSettings, type Reservation } from '../sending/line-pacing.js';
import type { LineSlots } from '../sending/ports.js';
import { buildUpdate, conditionFailureItem, isConditionalFailure } from './update-expression.js';

/** The line item's breaker attributes (line-breaker.ts), as stored. */
interface BreakerAttributes {
  breaker_failures?: Record<string, number>;
  outage_since?: number;
  outage_reason?: string;
  probe_at?: number;
  probe_gap_ms?: number;
  probe_lease_until?: number;
  probe_by?: string;
  breaker_version?: number;
}

type LineItem = BreakerAttributes & { tat?: number; line?: string };

const BREAKER_ATTRIBUTES = [
  'breaker_failures',
  'outage_since',
  'outage_reason',
  'probe_at',
  'probe_gap_ms',
  'probe_lease_until',
  'probe_by',
] as const;

const num = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : Number(value));

/** The breaker an item holds (closed when it holds none). */
export function breakerOf(item: LineItem | undefined): LineBreaker {
  if (!item) return CLOSED_BREAKER;
  const failures: Record<string, number> = {};
  for (const [command, at] of Object.entries(item.breaker_failures ?? {})) failures[command] = Number(at);
  return {
    failures,
    openSince: num(item.outage_since),
    reason: item.outage_reason,
    probeAt: num(item.probe_at),
    probeGapMs: num(item.probe_gap_ms),
    probeLeaseUntil: num(item.probe_lease_until),
    probeBy: item.probe_by,
    version: num(item.breaker_version) ?? 0,
  };
}

/**
 * The pacing part of the table module: one item per line holds its `tat` (line-pacing.ts) and its
 * circuit breaker (line-breaker.ts). A slot costs one conditional UpdateItem: "idle" (tat <= now:
 * tat = now + interval) or "busy" (now < tat <= now + horizon: tat += interval), whichever the
 * container last saw; a wrong guess costs a second write. No read before the write. Both refuse
 * while the breaker is open, and both return the item, so the sender knows the breaker's state
 * without another read (a healthy line: no failures, nothing more to write).
 */
export function createPacingTable(db: DynamoDBDocumentClient, TableName: string): LineSlots {
  /** The tat last seen per line in this container: which write to try first. */
  const lastSeen = new Map<string, number>();

  async function tryWrite(
    line: string,
    expression: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<{ ok: boolean; item?: LineItem }> {
    try {
      const out = await db.send(
        new UpdateCommand({
          TableName,
          Key: linePaceKey(line),
          ...expression,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true, item: out.Attributes as LineItem | undefined };
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      return { ok: false, item: conditionFailureItem<LineItem>(error) };
    }
  }

  const tatOf = (item: LineItem | undefined) => num(item?.tat);

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
            ConditionExpression: '(attribute_not_exists(#tat) OR #tat <= :now) AND attribute_not_exists(#outage)',
            ExpressionAttributeNames: { '#tat': 'tat', '#line': 'line', '#outage': 'outage_since' },
            ExpressionAttributeValues: { ':next': nowMs + interval, ':now': nowMs, ':line': line },
          });
          if (idle.ok) {
            lastSeen.set(line, tatOf(idle.item) ?? nowMs + interval);
            return { kind: 'slot', slotAt: nowMs, breaker: breakerOf(idle.item) };
          }
          if (idle.item?.outage_since !== undefined) return { kind: 'paused', breaker: breakerOf(idle.item) };
          busy = true;
          const tat = tatOf(idle.item);
          if (tat !== undefined && tat > limit) return beyond(line, tat, settings);
          continue;
        }
        const taken = await tryWrite(line, {
          UpdateExpression: 'SET #tat = #tat + :interval',
          ConditionExpression: '#tat > :now AND #tat <= :limit AND attribute_not_exists(#outage)',
          ExpressionAttributeNames: { '#tat': 'tat', '#outage': 'outage_since' },
          ExpressionAttributeValues: { ':interval': interval, ':now': nowMs, ':limit': limit },
        });
        if (taken.ok) {
          const tat = tatOf(taken.item)!;
          lastSeen.set(line, tat);
          return { kind: 'slot', slotAt: slotFor(tat - interval, nowMs, settings), breaker: breakerOf(taken.item) };
        }
        if (taken.item?.outage_since !== undefined) return { kind: 'paused', breaker: breakerOf(taken.item) };
        const tat = tatOf(taken.item);
        if (tat !== undefined && tat > limit) return beyond(line, tat, settings);
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

    async readLineBreaker(line: string): Promise<LineBreaker> {
      const out = await db.send(new GetCommand({ TableName, Key: linePaceKey(line), ConsistentRead: true }));
      return breakerOf(out.Item as LineItem | undefined);
    },

    async writeLineBreaker(line: string, next: LineBreaker, seenVersion: number) {
      const stored: BreakerAttributes = {
        breaker_failures: Object.keys(next.failures).length ? next.failures : undefined,
        outage_since: next.openSince,
        outage_reason: next.reason,
        probe_at: next.probeAt,
        probe_gap_ms: next.probeGapMs,
        probe_lease_until: next.probeLeaseUntil,
        probe_by: next.probeBy,
      };
      const update = buildUpdate({
        set: { ...stored, breaker_version: next.version, line },
        remove: BREAKER_ATTRIBUTES.filter((name) => stored[name] === undefined),
      });
      const result = await tryWrite(line, {
        ...update,
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':seen': seenVersion },
        // Never written before counts as version 0.
        ConditionExpression:
          seenVersion === 0
            ? 'attribute_not_exists(#breaker_version) OR #breaker_version = :seen'
            : '#breaker_version = :seen',
      });
      return result.ok ? { written: true as const } : { written: false as const, current: breakerOf(result.item) };
    },
  };

  function beyond(line: string, tat: number, settings: PacingSettings): Reservation {
    lastSeen.set(line, tat);
    // Back when the backlog ahead of it is within the horizon again.
    return { kind: 'beyond-horizon', retryAt: tat - settings.horizonMs };
  }
}
