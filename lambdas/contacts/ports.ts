import type { OptSource } from '../contract/items.js';

/**
 * What the contacts projection needs from the world: the contacts ledger in the table
 * (adapters/table-contacts.ts). Both writes are idempotent and order-tolerant: the stream may
 * deliver a change again, and changes of different items come in no fixed order.
 */

/** A number seen at `at`: a member, a sender, a recipient of ours. */
export interface ContactSighting {
  number: string;
  /** When the message or change that showed it was dated (ISO). */
  at: string;
  /** Our line that messaged it, when this sighting is an outbound message. */
  contactedFrom?: string;
}

/** Evidence that a number opted out or back in, true at `at`. */
export interface OptChange {
  number: string;
  at: string;
  optedOut: boolean;
  by: OptSource;
}

export interface ContactLedger {
  /**
   * Creates the record when new; `first_seen` and each `contacted:<line>` are set once, `last_seen`
   * only moves forward. At most two write requests, no read.
   */
  recordSighting(sighting: ContactSighting): Promise<void>;
  /**
   * Sets the opt state unless the record holds newer evidence (`opt_changed_at` not before `at`):
   * `written` or `stale` (nothing written). One conditional write; keeps the sparse opted-out list.
   */
  recordOptChange(change: OptChange): Promise<'written' | 'stale'>;
}
