/**
 * Public types of the Sendblue simulator (see index.ts for how to start one).
 */
import type { Logger } from '../../lambdas/platform/logger.js';
import type { WebhookFault } from './webhook-faults.js';

export type { WebhookFault } from './webhook-faults.js';

export interface SimulatorOptions {
  /** 0 = any free port. The server listens on 127.0.0.1 only. @default 0 */
  port?: number;
  /** Expected `sb-api-key-id` header. */
  apiKeyId: string;
  /** Expected `sb-api-secret-key` header (never logged or recorded). */
  apiSecretKey: string;
  /** The account's Sendblue lines; `from_number` must be one of them. */
  lines: string[];
  /**
   * A `receive` webhook the account starts with (and gets back on reset), as if set in Sendblue's
   * dashboard: member replies are POSTed there. More are added through /api/account/webhooks.
   */
  receiveWebhookUrl?: string;
  /** That webhook's secret, sent as `sb-signing-secret` (never logged or recorded). */
  webhookSecret?: string;
  /** Every Nth accepted group send gets one member reply; 0/undefined = never. */
  replyEvery?: number;
  /** Delays after accepting a send before SENT, then DELIVERED. @default { sent: 30, delivered: 80 } */
  statusDelaysMs?: { sent: number; delivered: number };
  /** Delay before the automatic member reply (replyEvery). @default 150 */
  replyDelayMs?: number;
  /** Leave `group_id` out of the send answer, as the current Sendblue schema does. */
  omitGroupIdInSendResponse?: boolean;
  /** Waits between webhook attempts; its length is the number of retries. @default [50, 100, 200] */
  callbackRetryDelaysMs?: number[];
  /** Per-attempt timeout of a webhook POST. @default 5000 */
  callbackTimeoutMs?: number;
  /** `account_email` / `accountEmail` in records and payloads. @default 'sandbox@sendblue.local' */
  accountEmail?: string;
  /**
   * Sendblue's per-line limit on sends: a token bucket per line; a send beyond it is answered 429.
   * `false` turns it off. @default Sendblue's published limit, { perSecond: 1, burst: 10 }
   */
  lineRateLimit?: LineRateLimit | false;
  /** Seconds to put in a 429's Retry-After header (Sendblue documents none). @default none */
  retryAfterSeconds?: number;
  logger?: Logger;
}

export interface LineRateLimit {
  perSecond: number;
  burst: number;
}

/**
 * `cut`: the connection is cut before the request is processed (nothing happens);
 * `accept-then-cut` / `accept-then-hang`: processed (a send is accepted), then no answer.
 */
export type FaultKind = '429' | '500' | '400' | 'hang' | 'cut' | 'accept-then-cut' | 'accept-then-hang';
/** `read`: the GET routes (message list, message, group, status); `webhooks`: /api/account/webhooks. */
export type FaultRoute = 'send' | 'modify' | 'rename' | 'read' | 'webhooks' | 'any';

/**
 * Random faults: each API call on `routes` gets a fault with probability `rate`, its kind drawn
 * from `kinds` (weights), from a PRNG seeded with `seed` so a run can be repeated.
 */
export interface FaultMix {
  seed: number;
  rate: number;
  kinds: Partial<Record<FaultKind, number>>;
  /** @default ['any'] */
  routes?: FaultRoute[];
}

export interface Fault {
  kind: FaultKind;
  /** How many matching API calls it applies to. @default 1 */
  count?: number;
  /** @default 'any' */
  route?: FaultRoute;
  /** Matching calls that pass untouched before the fault applies (e.g. the second page of a list). @default 0 */
  after?: number;
}

export interface SimulatorRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** Request headers; secret values are replaced by '[redacted]'. */
  headers: Record<string, string>;
  /** What was answered; 'cut' = socket destroyed without an answer, 'hang' = never answered. */
  status: number | 'cut' | 'hang';
  /** For accept-then-cut/hang: the status the simulator would have answered. */
  processedStatus?: number;
  /** The fault that shaped the answer, if any. */
  fault?: FaultKind;
}

export interface CallbackDelivery {
  /** status: a message's own status_callback; outbound: the account's outbound webhook; reply: its receive webhook. */
  kind: 'status' | 'outbound' | 'reply';
  url: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** HTTP status of the last attempt, 'error' for a connection error or timeout, null before the first. */
  lastStatus: number | 'error' | null;
  /** True once an attempt was answered 2xx. */
  delivered: boolean;
  /** Never posted: lost on purpose (`dropWebhooks`), as when the endpoint was down past Sendblue's retries. */
  dropped?: boolean;
}

export interface SimGroup {
  group_id: string;
  members: string[];
  name: string | null;
  /** The Sendblue line serving the group (the last one that sent to it). */
  line: string;
  created_at: string;
  updated_at: string;
}

export interface SimMessage {
  message_handle: string;
  group_id: string;
  is_outbound: boolean;
  status: string;
  status_history: Array<{ status: string; date_updated: string }>;
  content: string;
  media_url: string;
  send_style: string;
  /** Outbound: the line. Inbound: the member who wrote. */
  from_number: string;
  /** The Sendblue line of the conversation. */
  line: string;
  /** The group's members when the message was sent or received (the line excluded). */
  participants: string[];
  group_display_name: string;
  status_callback?: string;
  reply_to?: { message_handle: string; part_index?: number };
  date_created: string;
  date_sent: string;
  date_updated: string;
  /** Insertion order, the tie-breaker for equal dates. */
  seq: number;
}

export interface RunningSimulator {
  url: string;
  port: number;
  /** Every API call received (control endpoints excluded). */
  readonly requests: SimulatorRequest[];
  /** Every webhook the simulator posted (status callbacks and member replies). */
  readonly callbacks: CallbackDelivery[];
  injectFault(fault: Fault): void;
  /** Random faults from now on (replaces any earlier mix); `clearFaults` ends it. */
  setFaultMix(mix: FaultMix): void;
  clearFaults(): void;
  /**
   * Lose the next webhooks (status callbacks and replies): `{ drop: N }`, or `{ rate, seed }` for a
   * seeded random share; a new call replaces the rate. `clearWebhookFaults` ends it.
   */
  dropWebhooks(fault: WebhookFault): void;
  clearWebhookFaults(): void;
  /**
   * Forgets groups, messages, logs and faults; cancels pending webhooks; drops hung requests; the
   * account's webhooks go back to what it started with.
   */
  reset(): void;
  /** The account's registered webhooks in Sendblue's list shape, secrets included (a copy; /__simulator/webhooks redacts them). */
  accountWebhooks(): Record<string, unknown>;
  /** Outbound messages the simulator accepted (copies). */
  sentMessages(): SimMessage[];
  /** Every stored message, outbound and inbound (copies). */
  messages(): SimMessage[];
  group(id: string): SimGroup | undefined;
  /** Test seeding: always creates a new group (served by the first line). */
  createGroup(members: string[], name?: string): SimGroup;
  /** A member writes now; resolves once the receive webhook was delivered or gave up. */
  /** A member writes now; with `mediaUrl`, the message carries that media (e.g. `mediaUrlFor('photo.png')`). */
  memberReply(groupId: string, content?: string, mediaUrl?: string): Promise<SimMessage>;
  /** A link to a picture this simulator serves (`GET /__simulator/media/<name>.png`), for a reply's media_url. */
  mediaUrlFor(name: string): string;
  /** Resolves when no status callback or reply is pending. */
  idle(): Promise<void>;
  /** Closes the server, destroys hung sockets, cancels timers and in-flight webhooks. */
  stop(): Promise<void>;
}
