/**
 * Test access to the run's shared DynamoDB Local (started by ./global-setup.ts). Every test file
 * makes its own uniquely named table, so files can run in parallel without seeing each other's data.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient, createTableStore, type TableStore } from '../../lambdas/adapters/table.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../sandbox/config.js';
import { ensureTable } from '../../sandbox/create-table.js';

/** SDK client config pointing at the shared DynamoDB Local. */
export function testDynamoDbConfig(): DynamoDBClientConfig {
  const endpoint = inject('dynamoDbEndpoint');
  if (!endpoint) {
    throw new Error(
      'No DynamoDB Local endpoint: run tests with vitest and vitest.config.ts (its globalSetup starts one)',
    );
  }
  return { endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
}

export interface TestTable {
  tableName: string;
  /** Plain client, for table-level calls (DescribeTable, ...). */
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  store: TableStore;
  /** Deletes the table and closes the clients (optional: the in-memory database dies with the run). */
  drop(): Promise<void>;
}

/** Creates a fresh table from TABLE_SCHEMA, named `<prefix>-<random>`. */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const config = testDynamoDbConfig();
  const tableName = `${prefix}-${randomUUID()}`;
  const client = new DynamoDBClient(config);
  await ensureTable(client, tableName);
  const documentClient = createDocumentClient(config);
  return {
    tableName,
    client,
    documentClient,
    store: createTableStore({ documentClient, tableName }),
    async drop() {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        client.destroy();
        documentClient.destroy();
      }
    },
  };
}
