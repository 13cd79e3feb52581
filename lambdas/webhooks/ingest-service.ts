import type { Logger } from '../platform/logger.js';
import { createGroupSync } from './group-sync.js';
import type { IngestStore, StatusRelay } from './ports.js';
import type { WebhookEvent } from './webhook-payload.js';

export type IngestOutcome =
  | { kind: 'message'; result: 'stored' | 'duplicate' }
  /** A member's tapback, kept on the message it is on (contract/reactions.ts). */
  | { kind: 'reaction'; result: 'stored' | 'duplicate' }
  | { kind: 'status'; result: 'advanced' | 'history-only' | 'duplicate' }
  /** A per-member refusal (one member opted out): kept in the history, the message's status untouched. */
  | { kind: 'member-status'; result: 'stored' | 'duplicate' }
  /** Nothing was written: the event contradicts what is stored (answered 409). */
  | { kind: 'refused'; error: string };

/**
 * Decides what a parsed webhook event writes. Inbound messages are one conditional put (plus a
 * group write only when membership or name changed); a member's tapback is instead one conditional
 * update of the reacted-to message's reactions (the same group write after it), idempotent on the
 * tapback's own handle, and kept even when that message is not stored (yet); outbound events are a
 * forward-only status update and a history entry, then a relay to the command's own status_callback.
 *
 * Write order: the message first, then the group record. If the group write fails the answer is
 * 503 although the message is stored; that is safe because Sendblue's retry is a duplicate for the
 * message (changes nothing) and does the group write again (only a duplicate under the same group
 * does: one naming another group is not a retry and writes nothing).
 */
export function createIngestService(deps: { store: IngestStore; relay: StatusRelay; logger: Logger }) {
  const syncGroup = createGroupSync(deps.store);

  /** The group record, from an inbound event's members and name (written only when they change). */
  async function syncEventGroup(event: WebhookEvent): Promise<void> {
    if (!event.groupId) return;
    await syncGroup({
      groupId: event.groupId,
      members: event.participants,
      name: event.groupDisplayName,
      asOf: event.dateSent ?? event.dateUpdated ?? new Date().toISOString(),
    });
  }

  return async function ingest(event: WebhookEvent, rawBody: string): Promise<IngestOutcome> {
    const context = { message_handle: event.messageHandle, group_id: event.groupId ?? null, status: event.status };
    if (event.direction === 'inbound' && event.reaction) {
      const written = await deps.store.addReaction({
        targetHandle: event.reaction.messageHandle,
        groupId: event.groupId,
        entry: {
          id: event.messageHandle,
          reaction: event.reaction.reaction,
          from_number: event.fromNumber,
          date_sent: event.dateSent ?? event.dateUpdated ?? new Date().toISOString(),
          part_index: event.reaction.partIndex,
          direction: 'inbound',
        },
      });
      if (written !== 'full') {
        await syncEventGroup(event);
        const result = written === 'added' ? 'stored' : 'duplicate';
        deps.logger.info(result === 'stored' ? 'reaction stored' : 'duplicate reaction ignored', {
          ...context,
          reaction: event.reaction.reaction,
          reaction_to: event.reaction.messageHandle,
          from_number: event.fromNumber,
        });
        return { kind: 'reaction', result };
      }
      // The message holds the most reactions kept: this one is kept as the message it also is (its text).
      deps.logger.warn('reaction kept as a message: the message it is on holds the most reactions kept', context);
    }
    if (event.direction === 'inbound') {
      const written = await deps.store.putInboundMessage(event);
      if (written === 'conflict') {
        // The handle is stored under another group: not a retry of this event, so nothing changes,
        // not even the group record this body names.
        deps.logger.warn('duplicate message_handle under another group ignored', context);
        return { kind: 'message', result: 'duplicate' };
      }
      const result = written;
      await syncEventGroup(event);
      deps.logger.info(result === 'stored' ? 'webhook stored' : 'duplicate webhook ignored', {
        ...context,
        from_number: event.fromNumber,
        kind: event.groupId ? 'group' : 'direct',
      });
      return { kind: 'message', result };
    }
    if (event.declinedMember) {
      const refusal = await deps.store.recordMemberRefusal(event);
      if (refusal.refused) {
        deps.logger.warn('status event refused: the message is inbound', context);
        return {
          kind: 'refused',
          error: `message ${event.messageHandle.slice(0, 64)} is an inbound message; status events apply to outbound messages only`,
        };
      }
      const result = refusal.historyAdded ? 'stored' : 'duplicate';
      deps.logger.info(
        result === 'stored' ? 'member refusal kept: the member opted out' : 'duplicate member refusal ignored',
        { ...context, member: event.declinedMember },
      );
      if (refusal.historyAdded && refusal.relayUrl) await deps.relay(refusal.relayUrl, rawBody);
      return { kind: 'member-status', result };
    }
    const outcome = await deps.store.applyStatusEvent(event);
    if (outcome.refused) {
      deps.logger.warn('status event refused: the message is inbound', context);
      return {
        kind: 'refused',
        error: `message ${event.messageHandle.slice(0, 64)} is an inbound message; status events apply to outbound messages only`,
      };
    }
    const result = outcome.statusAdvanced ? 'advanced' : outcome.historyAdded ? 'history-only' : 'duplicate';
    deps.logger.info(
      result === 'advanced'
        ? 'status changed'
        : result === 'duplicate'
          ? 'duplicate status ignored'
          : 'late status kept in history',
      context,
    );
    if (outcome.historyAdded && outcome.relayUrl) await deps.relay(outcome.relayUrl, rawBody);
    return { kind: 'status', result };
  };
}
