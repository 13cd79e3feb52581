import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { COMMAND_QUEUE_SETTINGS } from '../contract/command-queue-settings.js';
import { createBackfillTable, type BackfillTable } from './table-backfill.js';
import { createCommandTable, type CommandTable } from './table-ledger.js';
import { createMediaTable, type MediaTable } from './table-media.js';
import { createMessageTable, type MessageTable } from './table-messages.js';
import { createPacingTable, type PacingTable } from './table-pacing.js';
import { createReadTable, type ReadTable } from './table-reads.js';

export type { ClaimResult, CommandFinish, OutboundMessage } from './table-ledger.js';
export type { UnsettledEntry } from './table-backfill.js';
export type { GroupSnapshot, StatusOutcome } from './table-messages.js';
export type { MessagePage } from './table-reads.js';

/**
 * The one module that talks to the table, composed of its parts: messages and groups (webhooks),
 * reads, the command ledger (the sender), line pacing, media copies, backfill watermarks. Every
 * write is conditional so that retries and duplicates change nothing, and none is preceded by a read.
 * Each use case takes only the parts it needs (IngestStore, ReadStore, ...), not the whole store.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export interface TableStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
  /** Days a command ledger entry is kept (TTL). @default COMMAND_QUEUE_SETTINGS.ledgerRetentionDays (30) */
  ledgerRetentionDays?: number;
}

export type TableStore = MessageTable & ReadTable & CommandTable & PacingTable & MediaTable & BackfillTable;
/** What the ingest handler may do: store messages, statuses and group records. */
export type IngestStore = MessageTable;
/** What the read handler may do: read. */
export type ReadStore = ReadTable;

export function createTableStore(options: TableStoreOptions): TableStore {
  const { documentClient: db, tableName } = options;
  const now = () => (options.now ? options.now() : new Date());
  return {
    ...createMessageTable(db, tableName, () => now().toISOString()),
    ...createReadTable(db, tableName),
    ...createCommandTable(
      db,
      tableName,
      now,
      options.ledgerRetentionDays ?? COMMAND_QUEUE_SETTINGS.ledgerRetentionDays,
    ),
    ...createPacingTable(db, tableName),
    ...createMediaTable(db, tableName),
    ...createBackfillTable(db, tableName, now),
  };
}
