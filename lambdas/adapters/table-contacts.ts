import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ContactLedger, ContactSighting, OptChange } from '../contacts/ports.js';
import { contactedAttribute, type ContactItem } from '../contract/items.js';
import { contactKey, OPTED_OUT_PARTITION, optedOutKeys } from '../contract/keys.js';
import type { ContactReads, OptedOutEntry } from '../reads/ports.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import type { ContactOptOuts } from '../sending/ports.js';
import { isConditionalFailure, writeIfCondition } from './update-expression.js';

const { partitionKey: PK } = TABLE_SCHEMA;
const { partitionKey: GSI1PK, sortKey: GSI1SK } = TABLE_SCHEMA.groupTimelineIndex;
/** DynamoDB's limit of keys per BatchGetItem. */
const BATCH_GET_LIMIT = 100;

/** The contacts ledger's part of the table module (`CONTACT#<number>` / `CONTACT`, docs/table-design.md "Contacts"). */
export function createContactTable(
  db: DynamoDBDocumentClient,
  TableName: string,
): ContactOptOuts & ContactLedger & ContactReads {
  /** The sighting's update: `first_seen` and `contacted:<line>` once; `last_seen` too when `forward`. */
  const sightingUpdate = (sighting: ContactSighting, forward: boolean) => {
    const names: Record<string, string> = { '#number': 'number', '#first_seen': 'first_seen' };
    const values: Record<string, unknown> = { ':number': sighting.number, ':at': sighting.at };
    const clauses = ['#number = :number', '#first_seen = if_not_exists(#first_seen, :at)'];
    if (forward) {
      names['#last_seen'] = 'last_seen';
      clauses.push('#last_seen = :at');
    } else {
      // A record is never left without last_seen (an older sighting creating it: the newer one failed).
      names['#last_seen'] = 'last_seen';
      clauses.push('#last_seen = if_not_exists(#last_seen, :at)');
    }
    if (sighting.contactedFrom) {
      names['#contacted'] = contactedAttribute(sighting.contactedFrom);
      clauses.push('#contacted = if_not_exists(#contacted, :at)');
    }
    return {
      TableName,
      Key: contactKey(sighting.number),
      UpdateExpression: `SET ${clauses.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  };

  return {
    async getContact(number: string): Promise<ContactItem | undefined> {
      const out = await db.send(new GetCommand({ TableName, Key: contactKey(number) }));
      return out.Item as ContactItem | undefined;
    },

    async listOptedOut({ limit, startKey }) {
      const out = await db.send(
        new QueryCommand({
          TableName,
          IndexName: TABLE_SCHEMA.groupTimelineIndex.name,
          KeyConditionExpression: '#gpk = :gpk',
          ExpressionAttributeNames: { '#gpk': GSI1PK },
          ExpressionAttributeValues: { ':gpk': OPTED_OUT_PARTITION },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      );
      const items: OptedOutEntry[] = (out.Items ?? []).map((item) => {
        const sortKey = String(item[GSI1SK]);
        const number = String(item[PK]).slice('CONTACT#'.length);
        return { number, since: sortKey.slice(0, sortKey.length - number.length - 1) };
      });
      return { items, nextKey: out.LastEvaluatedKey as Record<string, string> | undefined };
    },

    async recordSighting(sighting: ContactSighting): Promise<void> {
      try {
        await db.send(
          new UpdateCommand({
            ...sightingUpdate(sighting, true),
            ConditionExpression: 'attribute_not_exists(#last_seen) OR #last_seen <= :at',
          }),
        );
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        // A newer sighting is stored: keep its last_seen, still set what is set once.
        await db.send(new UpdateCommand(sightingUpdate(sighting, false)));
        // An older sighting applied late (the stream orders one item's changes, not different
        // items'): first_seen is the earliest, so it moves back. Rare: a third write only here.
        await writeIfCondition(
          db,
          new UpdateCommand({
            TableName,
            Key: contactKey(sighting.number),
            UpdateExpression: 'SET #first_seen = :at',
            ConditionExpression: '#first_seen > :at',
            ExpressionAttributeNames: { '#first_seen': 'first_seen' },
            ExpressionAttributeValues: { ':at': sighting.at },
          }),
        );
      }
    },

    async recordOptChange(change: OptChange): Promise<'written' | 'stale'> {
      const set: Record<string, unknown> = {
        number: change.number,
        opted_out: change.optedOut,
        opt_changed_at: change.at,
        [change.optedOut ? 'opted_out_at' : 'opted_in_at']: change.at,
        [change.optedOut ? 'opted_out_by' : 'opted_in_by']: change.by,
        ...(change.optedOut ? optedOutKeys(change.at, change.number) : {}),
      };
      const names: Record<string, string> = { '#first_seen': 'first_seen', '#last_seen': 'last_seen' };
      const values: Record<string, unknown> = {};
      const clauses: string[] = [];
      for (const [name, value] of Object.entries(set)) {
        names[`#${name}`] = name;
        values[`:${name}`] = value;
        clauses.push(`#${name} = :${name}`);
      }
      // Evidence is a sighting too: a record is never left without them.
      clauses.push('#first_seen = if_not_exists(#first_seen, :opt_changed_at)');
      clauses.push('#last_seen = if_not_exists(#last_seen, :opt_changed_at)');
      const remove = change.optedOut ? [] : [GSI1PK, GSI1SK];
      for (const name of remove) names[`#${name}`] = name;
      const written = await writeIfCondition(
        db,
        new UpdateCommand({
          TableName,
          Key: contactKey(change.number),
          UpdateExpression: `SET ${clauses.join(', ')}${remove.length ? ` REMOVE ${remove.map((n) => `#${n}`).join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // Older evidence (the stream orders changes per item, not across items) never overwrites newer.
          ConditionExpression: 'attribute_not_exists(#opt_changed_at) OR #opt_changed_at < :opt_changed_at',
        }),
      );
      return written ? 'written' : 'stale';
    },

    /**
     * Strongly consistent BatchGetItem of the records, only `opted_out` projected; keys DynamoDB
     * leaves unprocessed are asked again (a few rounds), and the read fails rather than answer
     * with an opt-out missing.
     */
    async optedOutAmong(numbers: readonly string[]): Promise<Set<string>> {
      const found = new Set<string>();
      const unique = [...new Set(numbers)];
      for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
        let pending: Array<Record<string, unknown>> | undefined = unique
          .slice(start, start + BATCH_GET_LIMIT)
          .map(contactKey);
        for (let round = 0; pending?.length; round += 1) {
          if (round === 5) throw new Error('contacts not read: DynamoDB left keys unprocessed five times');
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
          const out: BatchGetCommandOutput = await db.send(
            new BatchGetCommand({
              RequestItems: {
                [TableName]: {
                  Keys: pending,
                  ConsistentRead: true,
                  ProjectionExpression: '#pk, #opted_out',
                  ExpressionAttributeNames: { '#pk': PK, '#opted_out': 'opted_out' },
                },
              },
            }),
          );
          for (const item of out.Responses?.[TableName] ?? []) {
            if (item.opted_out === true) found.add(String(item[PK]).slice('CONTACT#'.length));
          }
          pending = out.UnprocessedKeys?.[TableName]?.Keys;
        }
      }
      return found;
    },
  };
}
