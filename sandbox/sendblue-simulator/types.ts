/**
 * Public types of the Sendblue simulator (see index.ts for how to start one).
 */
import type { LineStatus, Reaction } from '../../lambdas/contract/sendblue-rules.js';
import type { Logger } from '../../lambdas/platform/logger.js';
import type { WebhookFault } from './webhook-faults.js';

export type { LineStatus, Reaction } from '../../lambdas/contract/sendblue-rules.js';
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
  /**
   * New contacts per line (a number the line never messaged): a group send that would take more
   * than the line has left this hour or today is answered 429 (error `new_contact_limit`).
   * `true` = Sendblue's published 15 an hour and 50 a day; an object sets them (and, for tests, a
   * shorter rolling "hour"). Off by default so that existing users of the simulator keep working;
   * `GET /api/v2/lines/usage` counts new contacts either way and says `enabled: false` when off.
   * @default false
   */
  newContactQuota?: NewContactQuota | boolean;
  /**
   * Numbers `GET /api/evaluate-service` calls SMS-only (every other number is iMessage): a list, or
   * a test. Only the lookup answers it; the simulator's group sends stay iMessage.
   * @default numbers whose last digit is 9
   */
  smsNumbers?: readonly string[] | ((number: string) => boolean);
  logger?: Logger;
}

export interface NewContactQuota {
  /** @default 15 (NEW_CONTACT_LIMITS.perHour) */
  perHour?: number;
  /** @default 50 (NEW_CONTACT_LIMITS.perDay) */
  perDay?: number;
  /** Length of the rolling "hour", so a test can watch it pass. @default 3_600_000 */
  hourWindowMs?: number;
}

export interface LineRateLimit {
  perSecond: number;
  burst: number;
}

/**
 * `cut`: the connection is cut before the request is processed (nothing happens);
 * `accept-then-cut` / `accept-then-hang`: processed (a send is accepted), then no answer.
 */
export type FaultKind =
  | '429'
  | '500'
  | '503'
  | '400'
  | '408'
  | '409'
  | 'hang'
  | 'cut'
  | 'accept-then-cut'
  | 'accept-then-hang';
/**
 * `read`: the GET routes (message list, message, group, status, lines, evaluate-service);
 * `react`: send-reaction; `contacts`: contacts/opt-out; `webhooks`: /api/account/webhooks.
 */
export type FaultRoute = 'send' | 'modify' | 'rename' | 'react' | 'read' | 'contacts' | 'webhooks' | 'any';

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
  /** Answered 503 by an outage (`unavailableFor`, `POST /__simulator/outage`). */
  outage?: '503';
  /**
   * The account line the call is about, when it names exactly one: its `from_number` (body or
   * query) or `sendblue_number`, else the line of the group or message it targets. How a test
   * counts one client's calls per line, e.g. its probes during an outage.
   */
  line?: string;
}

/** An outage a test causes: the port refuses connections, or every API call (optionally: naming one line) answers 503. */
export interface Outage {
  kind: 'refuse' | '503';
  /** How long it lasts from now. */
  ms: number;
  /** `503` only: just the calls naming this line (see `SimulatorRequest.line`); others pass. */
  line?: string;
}

/** A member's message written on purpose (`memberReply`). */
export interface MemberMessage {
  content?: string;
  /** A picture the message carries (e.g. `mediaUrlFor('photo.png')`). */
  mediaUrl?: string;
  /** The member who writes; must be in the group. @default the next member in turn */
  from?: string;
}

export interface MemberReaction {
  /** The member who reacts; must be in the group. @default the next member in turn who did not write the message */
  from?: string;
  /** @default 0 */
  partIndex?: number;
}

/** A tapback on a message: sent by our line (`POST /api/send-reaction`) or by a member. */
export interface SimReaction {
  reaction: Reaction;
  from_number: string;
  part_index: number;
  date: string;
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
  /** The people in the group: the account's lines are not members (see `lines`). */
  members: string[];
  name: string | null;
  /** The Sendblue line serving the group (the last one that sent to it). */
  line: string;
  /** Every line of the account in the group (a line joins by sending to it, or by being among a new group's numbers). */
  lines: string[];
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
  /** The account's lines in the group then (webhook `participants` list them after the members). */
  lines: string[];
  /** Inbound: whether the writer was opted out once this message was read (STOP sets it, START clears it). */
  opted_out?: boolean;
  /** Outbound: members not delivered to because they opted out (each got a DECLINED status callback). */
  declined?: string[];
  /** Inbound tapback: which one, and the message it is on (the content is iMessage's text for it, e.g. `Loved “hi”`). */
  reaction?: Reaction;
  reaction_to?: { message_handle: string; part_index: number };
  /** Tapbacks on this message, oldest first. */
  reactions?: SimReaction[];
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
   * Forgets groups, messages, logs, faults, opt-outs and contacts; cancels pending webhooks; drops
   * hung requests; lines go back ONLINE; outages end; the account's webhooks go back to what it
   * started with.
   */
  reset(): void;
  /** The account's registered webhooks in Sendblue's list shape, secrets included (a copy; /__simulator/webhooks redacts them). */
  accountWebhooks(): Record<string, unknown>;
  /** Outbound messages the simulator accepted (copies). */
  sentMessages(): SimMessage[];
  /** Every stored message, outbound and inbound (copies). */
  messages(): SimMessage[];
  group(id: string): SimGroup | undefined;
  /**
   * Test seeding: always creates a new group, served by the first of `lines` (@default the
   * account's first line); more lines make a group where `from_number` is ambiguous.
   */
  createGroup(members: string[], name?: string, options?: { lines?: string[] }): SimGroup;
  /**
   * A member writes now; resolves once the receive webhook was delivered or gave up. With
   * `mediaUrl`, the message carries that media (e.g. `mediaUrlFor('photo.png')`). A message that
   * is an opt-out keyword (STOP, ...) opts the writer out, START back in (`opted_out` on the webhook).
   */
  memberReply(groupId: string, content?: string, mediaUrl?: string): Promise<SimMessage>;
  /** The same, choosing who writes (`from`, a member of the group). */
  memberReply(groupId: string, message: MemberMessage): Promise<SimMessage>;
  /**
   * A member taps back on a message of their group: stored on it, and posted to the receive
   * webhook as a message with `reaction` and `reaction_to` (see README.md in this folder).
   */
  memberReacts(messageHandle: string, reaction: Reaction, options?: MemberReaction): Promise<SimMessage>;
  /** Opts a number out of (or, with false, back into) the account's messages, as a STOP/START would. */
  optOut(number: string, optedOut?: boolean): void;
  /** The numbers opted out now. */
  optedOut(): string[];
  /** Sets a line's state (`GET /api/v2/lines/state`); sends from an OFFLINE line are answered 503. */
  setLineState(line: string, status: LineStatus): void;
  lineState(line: string): LineStatus;
  /** Forgets the new contacts counted in the quota windows (as if they had passed); numbers already messaged stay known. */
  clearNewContactUsage(line?: string): void;
  /**
   * An outage: `refuse` closes the port and every open connection for `ms`, then listens again on
   * the same port with the same state (resolves once the port refuses); `503` answers every API
   * call (or each call naming `line`) with 503 for `ms`. Control endpoints are not affected by a
   * 503 outage and unreachable during a refusal.
   */
  startOutage(outage: Outage): Promise<void>;
  /** `startOutage({ kind: 'refuse', ms })`. */
  refuseConnectionsFor(ms: number): Promise<void>;
  /** `startOutage({ kind: '503', ms, line })`. */
  unavailableFor(ms: number, options?: { line?: string }): Promise<void>;
  /** Ends every outage now (listening again if refused). */
  endOutages(): Promise<void>;
  /** Resolves once the simulator accepts connections (at once unless a refusal is running). */
  listening(): Promise<void>;
  /** A link to a picture this simulator serves (`GET /__simulator/media/<name>.png`), for a reply's media_url. */
  mediaUrlFor(name: string): string;
  /** Resolves when no status callback or reply is pending. */
  idle(): Promise<void>;
  /** Closes the server, destroys hung sockets, cancels timers and in-flight webhooks. */
  stop(): Promise<void>;
}
