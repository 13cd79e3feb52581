import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { COMMAND_QUEUE_SETTINGS } from '../contract/command-queue-settings.js';
import type { BackfillStore } from '../backfill/ports.js';
import type { MediaTable } from '../media/ports.js';
import type { SweepStore, SenderStore } from '../sending/ports.js';
import type { IngestStore } from '../webhooks/ports.js';
import type { ContactReads, ReactionReads } from '../reads/ports.js';
import type { ContactLedger } from '../contacts/ports.js';
import { createBackfillTable } from './table-backfill.js';
import { createContactTable } from './table-contacts.js';
import { createLineContactsTable } from './table-line-contacts.js';
import { createLedgerTable } from './table-ledger.js';
import { createMediaTable } from './table-media.js';
import { createMessageTable } from './table-messages.js';
import { createPacingTable } from './table-pacing.js';
import { createReactionTable } from './table-reactions.js';
import { createReadTable, type ReadTable } from './table-reads.js';

/**
 * The one module that talks to the table, composed of its parts: messages and groups (webhooks),
 * reads, the command ledger (the sender), line pacing, media copies, backfill watermarks. Every
 * write is conditional so that retries and duplicates change nothing, and none is preceded by a read.
 * Each use case declares only the parts it needs, in its room's ports.ts (IngestStore, ReadStore,
 * SenderStore, ...), and gets this store as that.
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

/** Every port of every room that the table implements. */
export type TableStore = IngestStore &
  ContactLedger &
  ContactReads &
  ReadTable &
  ReactionReads &
  SenderStore &
  SweepStore &
  MediaTable &
  BackfillStore;

export function createTableStore(options: TableStoreOptions): TableStore {
  const { documentClient: db, tableName } = options;
  const now = () => (options.now ? options.now() : new Date());
  return {
    ...createMessageTable(db, tableName, () => now().toISOString()),
    ...createReadTable(db, tableName),
    ...createReactionTable(db, tableName, () => now().toISOString()),
    ...createLedgerTable(db, tableName, now, options.ledgerRetentionDays ?? COMMAND_QUEUE_SETTINGS.ledgerRetentionDays),
    ...createPacingTable(db, tableName),
    ...createLineContactsTable(db, tableName),
    ...createMediaTable(db, tableName),
    ...createBackfillTable(db, tableName, now),
    ...createContactTable(db, tableName),
  };
}
