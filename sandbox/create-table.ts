/**
 * Creates the app's table from TABLE_SCHEMA (the same definition the CDK stack uses), so the
 * sandbox and tests can never drift from AWS in keys or indexes.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { TABLE_SCHEMA } from '../lambdas/contract/table-schema.js';

export interface EnsureTableResult {
  /** False when the table already existed (then it is checked, not changed). */
  created: boolean;
}

const { partitionKey, sortKey, ttlAttribute, groupTimelineIndex: gsi } = TABLE_SCHEMA;

export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  { timeoutSeconds = 30 }: { timeoutSeconds?: number } = {},
): Promise<EnsureTableResult> {
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [partitionKey, sortKey, gsi.partitionKey, gsi.sortKey].map((name) => ({
          AttributeName: name,
          AttributeType: TABLE_SCHEMA.keyAttributeType,
        })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        // The change stream the events and media Lambdas read (the sandbox's stream poller reads it).
        StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_SCHEMA.stream.viewType },
        GlobalSecondaryIndexes: [
          {
            IndexName: gsi.name,
            KeySchema: [
              { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
              { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: gsi.projection, NonKeyAttributes: [...gsi.projectedAttributes] },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }

  // Waits for ACTIVE (immediate in DynamoDB Local, seconds in AWS).
  await waitUntilTableExists({ client, maxWaitTime: timeoutSeconds }, { TableName: tableName });
  if (!created) {
    await assertSameKeys(client, tableName);
    return { created };
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
  } catch {
    // Tolerated: an emulator may refuse it, and nothing relies on TTL deletion (Local never deletes).
  }
  return { created };
}

/** An existing table with other keys would fail later in confusing ways; say so now. */
async function assertSameKeys(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const keys = (schema?: Array<{ AttributeName?: string }>) => (schema ?? []).map((k) => k.AttributeName).join(',');
  const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === gsi.name);
  const expected = `${partitionKey},${sortKey} and ${gsi.name}(${gsi.partitionKey},${gsi.sortKey})`;
  const actual = `${keys(Table?.KeySchema)} and ${gsi.name}(${keys(index?.KeySchema)})`;
  if (actual !== expected) {
    throw new Error(`Table ${tableName} already exists with keys ${actual}, but this app needs ${expected}`);
  }
}
