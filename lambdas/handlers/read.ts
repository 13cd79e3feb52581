import type { Logger } from '../shared/logger';
import type { TableStore } from '../shared/table';
import type { HttpHandler } from './ingest';

export interface ReadDeps {
  store: TableStore;
  logger: Logger;
}

export function createReadHandler(_deps: ReadDeps): HttpHandler {
  throw new Error('not implemented yet');
}

export const handler: HttpHandler = async () => ({ statusCode: 500 });
