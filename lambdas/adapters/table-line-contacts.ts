import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { LINE_CONTACT_SK_PREFIX, lineContactKey, lineQuotaKey } from '../contract/keys.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import { type ContactQuota, EMPTY_QUOTA, KNOWN_CONTACT_MS, type QuotaSpend } from '../sending/new-contact-quota.js';
import type { LineContacts } from '../sending/ports.js';
import { conditionFailureItem, isConditionalFailure } from './update-expression.js';

const { sortKey: SK } = TABLE_SCHEMA;
/** BatchWriteItem takes 25 requests, BatchGetItem 100 keys; a send has at most 25 recipients. */
const BATCH_WRITE_LIMIT = 25;
const BATCH_GET_LIMIT = 100;
/** Rounds of unprocessed keys asked again before giving up (the caller treats a failure as "unknown"). */
const ROUNDS = 4;

interface QuotaItem {
  spends?: Array<{ command?: unknown; at?: unknown; count?: unknown }>;
  blocked_until?: unknown;
  quota_version?: unknown;
}

const num = (value: unknown): number | undefined => {
  const parsed = value === undefined || value === null ? Number.NaN : Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

/** The quota record an item holds (empty at version 0 when there is none). */
export function quotaOf(item: QuotaItem | undefined): ContactQuota {
  if (!item) return EMPTY_QUOTA;
  const spends: QuotaSpend[] = (Array.isArray(item.spends) ? item.spends : []).flatMap((spend) => {
    const at = num(spend?.at);
    const count = num(spend?.count);
    return typeof spend?.command === 'string' && at !== undefined && count !== undefined
      ? [{ command: spend.command, at, count }]
      : [];
  });
  const blockedUntil = num(item.blocked_until);
  return { spends, ...(blockedUntil === undefined ? {} : { blockedUntil }), version: num(item.quota_version) ?? 0 };
}

/**
 * The line's new-contact part of the table: one quota record per line (`LINE#<line>` / `QUOTA`:
 * the spends of the last day, `blocked_until`, `quota_version`) and one small item per number the
 * line messaged (`LINE#<line>` / `KNOWN#<number>`: `messaged_at`, TTL 30 days on). A spend is one
 * conditional UpdateItem on the version it was computed from; known numbers are read in one
 * BatchGetItem per send and written in one BatchWriteItem after it was accepted.
 */
export function createLineContactsTable(db: DynamoDBDocumentClient, TableName: string): LineContacts {
  return {
    async readKnownContacts(line, numbers) {
      const known = new Map<string, number>();
      const keys = [...new Set(numbers)].map((number) => lineContactKey(line, number));
      for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
        let pending: Array<Record<string, unknown>> | undefined = keys.slice(start, start + BATCH_GET_LIMIT);
        for (let round = 0; round < ROUNDS && pending?.length; round += 1) {
          const out: BatchGetCommandOutput = await db.send(
            new BatchGetCommand({
              RequestItems: {
                [TableName]: {
                  Keys: pending,
                  ProjectionExpression: '#sk, #at',
                  ExpressionAttributeNames: { '#sk': SK, '#at': 'messaged_at' },
                },
              },
            }),
          );
          for (const item of out.Responses?.[TableName] ?? []) {
            const at = num(item.messaged_at);
            if (at !== undefined) known.set(String(item[SK]).slice(LINE_CONTACT_SK_PREFIX.length), at);
          }
          pending = out.UnprocessedKeys?.[TableName]?.Keys;
        }
        if (pending?.length) throw new Error('could not read the line’s known contacts: keys left unprocessed');
      }
      return known;
    },

    async rememberContacts(line, numbers, atMs) {
      const items = [...new Set(numbers)].map((number) => ({
        ...lineContactKey(line, number),
        line,
        messaged_at: atMs,
        // Sendblue forgets after 30 days without a message; so do we (TTL deletion is late: readers check `messaged_at`).
        expires_at: Math.floor((atMs + KNOWN_CONTACT_MS) / 1000),
      }));
      for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
        let pending: unknown[] | undefined = items
          .slice(start, start + BATCH_WRITE_LIMIT)
          .map((Item) => ({ PutRequest: { Item } }));
        for (let round = 0; round < ROUNDS && pending?.length; round += 1) {
          const out: BatchWriteCommandOutput = await db.send(
            new BatchWriteCommand({ RequestItems: { [TableName]: pending as never } }),
          );
          pending = out.UnprocessedItems?.[TableName];
        }
        if (pending?.length) throw new Error('could not record the line’s known contacts: items left unprocessed');
      }
    },

    async readContactQuota(line) {
      const out = await db.send(new GetCommand({ TableName, Key: lineQuotaKey(line), ConsistentRead: true }));
      return quotaOf(out.Item as QuotaItem | undefined);
    },

    async writeContactQuota(line, next, seenVersion) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: lineQuotaKey(line),
            UpdateExpression:
              next.blockedUntil === undefined
                ? 'SET #spends = :spends, #version = :version, #line = :line REMOVE #blocked'
                : 'SET #spends = :spends, #version = :version, #line = :line, #blocked = :blocked',
            // Never written counts as version 0.
            ConditionExpression:
              seenVersion === 0 ? 'attribute_not_exists(#version) OR #version = :seen' : '#version = :seen',
            ExpressionAttributeNames: {
              '#spends': 'spends',
              '#version': 'quota_version',
              '#line': 'line',
              '#blocked': 'blocked_until',
            },
            ExpressionAttributeValues: {
              ':spends': next.spends.map((spend) => ({ command: spend.command, at: spend.at, count: spend.count })),
              ':version': next.version,
              ':line': line,
              ':seen': seenVersion,
              ...(next.blockedUntil === undefined ? {} : { ':blocked': next.blockedUntil }),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { written: true as const };
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        return { written: false as const, current: quotaOf(conditionFailureItem<QuotaItem>(error)) };
      }
    },
  };
}
