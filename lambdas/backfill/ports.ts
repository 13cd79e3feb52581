import type { StoredItem } from './backfill-rules.js';

/**
 * What the backfill needs besides what the webhooks and the sweep need: the watermarks and a
 * presence check in the table (adapters/table-backfill.ts), and Sendblue's message list of a line
 * (adapters/sendblue-client.ts).
 */

export interface BackfillStore {
  /** The newest `date_updated` whose page was wholly stored, or undefined before the first run. */
  getBackfillWatermark(line: string): Promise<string | undefined>;
  /** Moves the watermark forward (never back: a slower, older run cannot undo a newer one's). */
  advanceBackfillWatermark(line: string, watermark: string): Promise<boolean>;
  /** Which of these items exist, with their status, by itemId (backfill-rules.ts). */
  findItems(keys: Array<Record<string, string>>): Promise<Map<string, StoredItem>>;
}

export interface LinePageRequest {
  line: string;
  updatedSince: string;
  offset: number;
  /** @default 100 (Sendblue's largest page) */
  limit?: number;
}

export interface LineMessages {
  /**
   * One page of the group messages on a line (both directions), oldest `date_updated` first, from
   * `updatedSince` on (the backfill pages by date: backfill-rules.ts). Records come as Sendblue
   * gives them (the webhook payload's fields), for the webhook parser.
   */
  listLineMessages(request: LinePageRequest): Promise<{ records: Record<string, unknown>[]; hasMore: boolean }>;
}
