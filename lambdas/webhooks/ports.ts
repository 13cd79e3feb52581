import type { NewReaction } from '../contract/reactions.js';
import type { WebhookEvent } from './webhook-payload.js';

/**
 * What the webhooks need from the world, implemented by the adapters: the table's messages,
 * statuses and group records (adapters/table-messages.ts), the relay to a command's own
 * status_callback (adapters/status-relay.ts) and the two expected secrets (adapters/secrets.ts).
 */

export interface GroupSnapshot {
  groupId: string;
  members?: string[];
  name?: string;
  /** When this membership was true (the message's date); an older snapshot never overwrites a newer one. */
  asOf: string;
}

export interface StatusOutcome {
  /** Nothing was written: the message is an inbound one, which has no delivery status. */
  refused?: 'inbound-message';
  /** The message's current status moved to this event's status. */
  statusAdvanced: boolean;
  /** This status was not in the history before. */
  historyAdded: boolean;
  relayUrl?: string;
}

/** What recording a per-member refusal did (IngestStore.recordMemberRefusal). */
export interface MemberRefusalOutcome {
  /** Nothing was written: the message is an inbound one. */
  refused?: 'inbound-message';
  /** This member's refusal was not in the history before. */
  historyAdded: boolean;
  /** The command's own status_callback, when the message is stored with one. */
  relayUrl?: string;
}

/** The group record, written only when membership or name really change (and never by an older message). */
export interface GroupRecords {
  syncGroup(snapshot: GroupSnapshot): Promise<'updated' | 'unchanged'>;
}

/**
 * The reactions kept beside a message (contract/reactions.ts): a member's from the receive
 * webhook, ours from the sender. One conditional update, no read first.
 */
export interface ReactionRecords {
  /**
   * `added`; `duplicate` when the message already holds a reaction with this id (a retry);
   * `full` when it holds MAX_REACTIONS_PER_MESSAGE already (nothing written).
   */
  addReaction(reaction: NewReaction): Promise<'added' | 'duplicate' | 'full'>;
}

/** What the ingest use case may do: store messages, statuses, reactions and group records. Every write is conditional. */
export interface IngestStore extends GroupRecords, ReactionRecords {
  /**
   * One conditional put. `duplicate`: the handle is stored under the same group (a retry);
   * `conflict`: it is stored under another group or none (not a retry of this event).
   */
  putInboundMessage(event: WebhookEvent): Promise<'stored' | 'duplicate' | 'conflict'>;
  /** A forward-only status update and a history entry. */
  applyStatusEvent(event: WebhookEvent): Promise<StatusOutcome>;
  /**
   * A per-member refusal (`event.declinedMember`): one history entry of its own (one per member),
   * never the message's status. Reads the message (for its relay URL and direction), writes no
   * message: a refusal that comes before the sender stored the message is kept in the history.
   */
  recordMemberRefusal(event: WebhookEvent): Promise<MemberRefusalOutcome>;
}

/** Forwards a stored status event to a command's own status_callback; never throws. */
export type StatusRelay = (url: string, payload: string) => Promise<void>;

/** The two expected values, fetched only when a request presents the matching credential. */
export interface WebhookSecrets {
  webhookSecret(): Promise<string>;
  callbackToken(): Promise<string>;
}
