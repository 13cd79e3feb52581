/**
 * The items of the one table as they are stored (snake_case, like Sendblue's fields and the API).
 * Key layout: table-schema.ts and keys.ts. Domain modules and views read these shapes; only the
 * adapters (adapters/table*.ts) write them.
 */
/** A message as stored (snake_case, like Sendblue's fields and our API). */
export interface MessageItem {
  message_handle: string;
  group_id?: string;
  direction: 'inbound' | 'outbound';
  status: string;
  status_rank: number;
  content?: string;
  media_url?: string;
  from_number?: string;
  date_sent?: string;
  date_updated?: string;
  send_style?: string;
  participants?: string[];
  group_display_name?: string;
  error_code?: string;
  error_message?: string;
  /** Sendblue's `opted_out` on an inbound message: the writer's opt-out state once it was read. */
  opted_out?: boolean;
  /** Where the status events of this message are relayed (a command's own status_callback). */
  relay_url?: string;
  /** The command that sent it (outbound messages sent by this stack). */
  command_id?: string;
  /**
   * Payload fields we do not map, as JSON text: a map attribute would let odd input (an empty key,
   * a number DynamoDB cannot hold, deep nesting) fail the write and turn bad input into a 5xx.
   */
  extra_json?: string;
  received_at?: string;
  /** Where the media Lambda copied `media_url` (or why it did not): table-media.ts. */
  media_archive?: MediaArchive;
}

export interface StatusHistoryItem {
  status: string;
  /** A per-member refusal (keys.ts memberStatusKey): the member it names; absent for the message's own statuses. */
  member?: string;
  /** Sendblue's `opted_out` on a per-member refusal. */
  opted_out?: boolean;
  group_id?: string;
  date_updated?: string;
  received_at: string;
  error_code?: string;
  error_message?: string;
}

/** What is recorded on the message item once the media copy is decided (`media_archive`, media/media-rules.ts). */
export type MediaArchive =
  | { key: string; content_type: string; bytes: number; archived_at: string }
  /** The copy was refused for good (a private address, too large, gone at the origin). */
  | { error: string; failed_at: string };

export interface GroupItem {
  group_id: string;
  members?: string[];
  group_name?: string;
  /** Date of the first message (or change) that showed this group. */
  created_at: string;
  /** Date of the message (or change) that showed the current membership and name. */
  updated_at: string;
}

/**
 * A group's `members_key`: its members, each once, sorted, comma-joined. The group record is
 * rewritten only when this changes (webhooks/group-sync.ts, adapters/table-messages.ts).
 */
export const membersKey = (members: readonly string[]): string => [...new Set(members)].sort().join(',');

export type CommandState = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown';

export interface CommandItem {
  command_id: string;
  type: string;
  state: CommandState;
  group_id?: string;
  message_handle?: string;
  error?: string;
  /** What the command asks for (commandFingerprint): tells a reused command_id apart. */
  fingerprint?: string;
  /** Fingerprints of other commands that tried to reuse this id and were refused. */
  refused_fingerprints?: Set<string> | string[];
  /** Deliveries that claimed the command (waits for a line slot included). */
  attempts?: number;
  /** Attempts that failed (5xx, timeouts, unreachable): the failure budget. 429s never count. */
  failures?: number;
  /** Checks in Sendblue that could not be made, in a row (backoff only; never a reason to give up). */
  check_failures?: number;
  /** The last failure that counted, for "gave up after N attempts: ...". */
  last_failure?: string;
  /**
   * While the way to Sendblue fails for this command (unreachable, no answer, 5xx) or its line is
   * paused by an outage: when that began (ISO). Past the outage budget it is failed. Removed once
   * Sendblue answers its call.
   */
  outage_since?: string;
  /** Failures of the way to Sendblue since `outage_since` (the backoff only). */
  outage_failures?: number;
  /** The last of them, or the paused line's reason. */
  outage_reason?: string;
  /** Epoch ms until which the current `sending` attempt owns the command. */
  lease_until?: number;
  lease_id?: string;
  /** When the first attempt started. */
  first_attempt_at?: string;
  /** When the first call that may have reached Sendblue was made: unclear outcomes are looked up from here. */
  check_since?: string;
  /** A reserved send slot on a line (epoch ms), kept while the command waits for it on the queue. */
  slot_at?: number;
  slot_line?: string;
  /**
   * While `failed` by a delivery: that SQS message's id. The failure is recorded before the message
   * moves to the DLQ, so a redelivery of the same message finishes the move (and never re-runs it).
   */
  failed_message_id?: string;
  /** When the next attempt is due (waiting for a slot, a retry, or Sendblue's Retry-After). */
  next_attempt_at?: string;
  /**
   * While `unknown`: the command's queue message body, so the sweep can check it in Sendblue if
   * the message is gone (the entry is then also in GSI1's `UNSETTLED` list, keys.ts).
   */
  command_json?: string;
  created_at?: string;
  updated_at?: string;
}

/** What made a contact opt out or back in (docs/table-design.md "Contacts"). */
export type OptSource =
  /** The member wrote STOP (or another opt-out keyword) / START: contract/sendblue-rules.ts. */
  | 'keyword'
  /** Sendblue's `opted_out` flag on the member's message. */
  | 'webhook_flag'
  /** A per-member DECLINED of one of our group messages, `opted_out: true`. */
  | 'declined'
  /**
   * An operator's `set_contact_opt` command (`cli contacts opt-out` / `opt-in`, the client, any
   * producer), dated when it was queued (sending/contact-opt.ts). Nothing is told to Sendblue.
   */
  | 'command'
  /** Never written: named for the CLI before the command existed; kept so a reader that knows it still validates. */
  | 'cli';

/**
 * A number we have seen: a member, a sender, a command's recipient (`CONTACT#<number>` / `CONTACT`),
 * projected from the table's stream (contacts/contact-projection.ts). `contacted:<line>` attributes
 * hold when a line first messaged it (one top-level attribute per line: a map could not be created
 * and filled in one update).
 */
export interface ContactItem {
  number: string;
  first_seen: string;
  last_seen: string;
  /** True while opted out; absent or false otherwise. */
  opted_out?: boolean;
  opted_out_at?: string;
  opted_out_by?: OptSource;
  opted_in_at?: string;
  opted_in_by?: OptSource;
  /** When the evidence behind the current opt state was true: older evidence never overwrites it. */
  opt_changed_at?: string;
  [contacted: `contacted:${string}`]: string;
}

/** The attribute of a contact record that says when `line` first messaged it. */
export const contactedAttribute = (line: string) => `contacted:${line}` as const;
