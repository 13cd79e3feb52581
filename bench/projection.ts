/**
 * Why GSI1 projects INCLUDE (the timeline's attributes) rather than ALL or KEYS_ONLY: the same
 * message items, as the ingest handler builds them, written into three tables that differ only in
 * the index's projection, with the write units DynamoDB reports for table and index; then the read
 * units of one 50-message timeline page from each (KEYS_ONLY needs a BatchGetItem of the items too).
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, type Projection } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { createDocumentClient, createTableStore } from '../lambdas/adapters/table.js';
import { TABLE_SCHEMA } from '../lambdas/contract/table-schema.js';
import { parseWebhookPayload } from '../lambdas/webhooks/webhook-payload.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../sandbox/config.js';
import { ensureTable } from '../sandbox/create-table.js';
import { RECEIVE } from './payloads.js';

const gsi = TABLE_SCHEMA.groupTimelineIndex;
const PROJECTIONS: Record<string, Projection> = {
  ALL: { ProjectionType: 'ALL' },
  'INCLUDE (chosen)': { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gsi.projectedAttributes] },
  KEYS_ONLY: { ProjectionType: 'KEYS_ONLY' },
};
const MESSAGES: Record<string, Record<string, unknown>> = {
  'receive webhook example': {},
  '600-character message': { content: 'x'.repeat(600) },
  '2,000-character message': { content: 'x'.repeat(2_000) },
  '18,995-character message (Sendblue max)': { content: 'x'.repeat(18_995) },
  '20 KB of unmapped fields': { attachment_meta: 'y'.repeat(20_000) },
};

export interface ProjectionFigures {
  /** message -> projection -> "table+index" write units */
  writes: Record<string, Record<string, string>>;
  /** projection -> read units of one page of 50 example messages */
  pageReadUnits: Record<string, number>;
}

export async function measureProjections(endpoint: string): Promise<ProjectionFigures> {
  const config = { endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
  const client = new DynamoDBClient(config);
  const db = createDocumentClient(config);
  const names = Object.fromEntries(Object.keys(PROJECTIONS).map((label) => [label, `projection-${randomUUID()}`]));
  const capture = `projection-capture-${randomUUID()}`;
  // The items exactly as the ingest handler writes them, captured from a real table module.
  const items: Array<Record<string, unknown>> = [];
  db.middlewareStack.add(
    (next) => async (args) => {
      const item = (args.input as { Item?: Record<string, unknown> }).Item;
      if (item && (args.input as { TableName?: string }).TableName === capture) items.push(item);
      return next(args);
    },
    { step: 'initialize', name: 'captureItems' },
  );
  try {
    await ensureTable(client, capture);
    for (const [label, projection] of Object.entries(PROJECTIONS)) await createTable(client, names[label]!, projection);
    const store = createTableStore({ documentClient: db, tableName: capture });
    const build = async (fields: Record<string, unknown>, groupId: string) => {
      const parsed = parseWebhookPayload(
        { ...RECEIVE, ...fields, group_id: groupId, message_handle: `p-${randomUUID()}` },
        'inbound',
      );
      if (!parsed.ok) throw new Error(parsed.error);
      items.length = 0;
      await store.putInboundMessage(parsed.event);
      return items[0]!;
    };

    const writes: ProjectionFigures['writes'] = {};
    for (const [message, fields] of Object.entries(MESSAGES)) {
      const item = await build(fields, 'g-writes');
      writes[message] = {};
      for (const label of Object.keys(PROJECTIONS)) {
        const out = await db.send(
          new PutCommand({ TableName: names[label], Item: item, ReturnConsumedCapacity: 'INDEXES' }),
        );
        writes[message]![label] =
          `${out.ConsumedCapacity?.Table?.CapacityUnits ?? 0}+${out.ConsumedCapacity?.GlobalSecondaryIndexes?.[gsi.name]?.CapacityUnits ?? 0}`;
      }
    }

    const pageReadUnits: ProjectionFigures['pageReadUnits'] = {};
    const page: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 50; i += 1) page.push(await build({}, 'g-page'));
    for (const label of Object.keys(PROJECTIONS)) {
      for (const item of page) await db.send(new PutCommand({ TableName: names[label], Item: item }));
      const query = await db.send(
        new QueryCommand({
          TableName: names[label],
          IndexName: gsi.name,
          KeyConditionExpression: '#pk = :pk',
          Limit: 50,
          ExpressionAttributeNames: { '#pk': gsi.partitionKey },
          ExpressionAttributeValues: { ':pk': 'GROUP#g-page' },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      let units = query.ConsumedCapacity?.CapacityUnits ?? 0;
      if (label === 'KEYS_ONLY') {
        const keys = (query.Items ?? []).map((item) => ({
          [TABLE_SCHEMA.partitionKey]: item[TABLE_SCHEMA.partitionKey],
          [TABLE_SCHEMA.sortKey]: item[TABLE_SCHEMA.sortKey],
        }));
        const batch = await db.send(
          new BatchGetCommand({ RequestItems: { [names[label]!]: { Keys: keys } }, ReturnConsumedCapacity: 'TOTAL' }),
        );
        units += batch.ConsumedCapacity?.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0) ?? 0;
      }
      pageReadUnits[label] = units;
    }
    return { writes, pageReadUnits };
  } finally {
    for (const name of [capture, ...Object.values(names)])
      await client.send(new DeleteTableCommand({ TableName: name })).catch(() => {});
    client.destroy();
    db.destroy();
  }
}

async function createTable(client: DynamoDBClient, TableName: string, Projection: Projection): Promise<void> {
  const keys = [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, gsi.partitionKey, gsi.sortKey];
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: keys[0], KeyType: 'HASH' },
        { AttributeName: keys[1], KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi.name,
          KeySchema: [
            { AttributeName: keys[2], KeyType: 'HASH' },
            { AttributeName: keys[3], KeyType: 'RANGE' },
          ],
          Projection,
        },
      ],
    }),
  );
}
