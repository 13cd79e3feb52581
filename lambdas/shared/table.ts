import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export interface TableStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TableStore {}

export function createTableStore(_options: TableStoreOptions): TableStore {
  throw new Error('not implemented yet');
}
