import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '../shared/logger';
import type { SecretSource } from '../shared/secrets';
import type { TableStore } from '../shared/table';

export interface IngestDeps {
  store: TableStore;
  secrets: SecretSource;
  logger: Logger;
  maxBodyBytes?: number;
}

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export function createIngestHandler(_deps: IngestDeps): HttpHandler {
  throw new Error('not implemented yet');
}

export const handler: HttpHandler = async () => ({ statusCode: 500 });
