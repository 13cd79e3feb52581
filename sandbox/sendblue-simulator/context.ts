/**
 * What the Sendblue route functions share: the simulator's memory and settings. The modules it
 * names hold state and import no route, so a route module may import any of them.
 */
import type { AccountWebhookRegistry } from './account-webhooks.js';
import type { LineLimiter } from './faults.js';
import type { LineBook } from './line-book.js';
import type { NewContactLedger } from './new-contacts.js';
import type { OptOuts } from './opt-outs.js';
import type { SimState } from './state.js';
import type { Webhooks } from './webhooks.js';

export interface ApiContext {
  state: SimState;
  /** What a route schedules after it answers (only these two: an in-process user may post nothing). */
  webhooks: Pick<Webhooks, 'scheduleStatuses' | 'scheduleReply'>;
  /** The account's registered webhooks (/api/account/webhooks). */
  accountWebhooks: AccountWebhookRegistry;
  /** The account's lines and their health. */
  lines: LineBook;
  /** New contacts per line and the quota on them. */
  contacts: NewContactLedger;
  optOuts: OptOuts;
  accountEmail: string;
  omitGroupIdInSendResponse: boolean;
  replyEvery: number;
  /** Sendblue's per-line send limit; undefined = no limit. */
  lineLimiter?: LineLimiter;
  /** Retry-After seconds on a 429, if any. */
  retryAfterSeconds?: number;
  /** Whether evaluate-service calls a number SMS-only. */
  isSmsOnly(number: string): boolean;
  /** Accepted sends per line, for the usage report. */
  sendsByLine: Map<string, number>;
}
