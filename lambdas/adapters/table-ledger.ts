import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { commandKey, messageKey, timelineKeys, unsettledKeys } from '../contract/keys.js';
import { statusRank } from '../contract/status.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import type { CommandItem } from '../contract/items.js';
import type {
  ClaimRequest,
  ClaimResult,
  CommandFinish,
  CommandLedger,
  OutboundMessage,
  SentMessages,
} from '../sending/ports.js';
import { buildUpdate, conditionFailureItem, isConditionalFailure, writeIfCondition } from './update-expression.js';

const { partitionKey: PK } = TABLE_SCHEMA;
const { partitionKey: GSI1PK, sortKey: GSI1SK } = TABLE_SCHEMA.groupTimelineIndex;

/**
 * The sender's part of the table module: the command ledger (exactly-once decisions rest on its
 * conditional writes) and outbound messages. createTableStore (table.ts) exposes these.
 * What each state means, and what is checked before any resend: docs/sending.md "Exactly once".
 */
export function createLedgerTable(
  db: DynamoDBDocumentClient,
  TableName: string,
  now: () => Date,
  retentionDays: number,
): CommandLedger & SentMessages {
  const iso = () => now().toISOString();
  const expiresAt = () => Math.floor(now().getTime() / 1000) + retentionDays * 86_400;

  return {
    /**
     * One conditional write decides who may act on a command. It never overwrites `sent`, a live
     * lease, or an entry of a different command (fingerprint); only a `restart` takes a `failed` one.
     */
    async claimCommand(request: ClaimRequest): Promise<ClaimResult> {
      const at = now();
      const leaseId = randomUUID();
      const restart = request.restart;
      const update = buildUpdate({
        set: {
          state: 'sending',
          type: request.type,
          lease_id: leaseId,
          lease_until: at.getTime() + request.leaseMs,
          updated_at: at.toISOString(),
          expires_at: expiresAt(),
          group_id: request.groupId,
          fingerprint: request.fingerprint,
          ...(restart ? { failures: 0, check_failures: 0, first_attempt_at: at.toISOString() } : {}),
        },
        setIfNotExists: {
          command_id: request.commandId,
          created_at: at.toISOString(),
          first_attempt_at: at.toISOString(),
        },
        increment: { attempts: 1 },
        remove: restart
          ? [
              'error',
              'last_failure',
              'slot_at',
              'slot_line',
              'check_since',
              'message_handle',
              'next_attempt_at',
              'outage_since',
              'outage_failures',
              'outage_reason',
            ]
          : [],
      });
      const sameCommand = '#fingerprint = :fingerprint';
      const expiredLease = '(#state = :sending AND #lease_until < :now)';
      const condition = restart
        ? `#state = :failed${restart.sameCommandAllowed ? '' : ` AND (attribute_not_exists(#fingerprint) OR #fingerprint <> :fingerprint)`}`
        : request.onlyUnsettled
          ? `${sameCommand} AND (#state = :unknown OR ${expiredLease})`
          : `attribute_not_exists(${PK}) OR (${sameCommand} AND (#state IN (:queued, :unknown) OR ${expiredLease}))`;
      const stateValues = restart
        ? { ':failed': 'failed' }
        : {
            ...(request.onlyUnsettled ? {} : { ':queued': 'queued' }),
            ':unknown': 'unknown',
            ':sending': 'sending',
            ':now': at.getTime(),
          };
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName,
            Key: commandKey(request.commandId),
            ...update,
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...stateValues },
            ConditionExpression: condition,
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return {
          claimed: true,
          leaseId,
          previous: out.Attributes as CommandItem | undefined,
          restarted: Boolean(restart),
        };
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        return {
          claimed: false,
          current: conditionFailureItem<CommandItem>(error) ?? {
            command_id: request.commandId,
            type: request.type,
            state: 'sending',
          },
        };
      }
    },

    /**
     * Ends an attempt; only the lease holder may, so a slow attempt whose lease expired cannot
     * overwrite a newer one. An `unknown` entry is listed as unsettled (GSI1) with its body (a
     * final one is not); any other state takes it off the list, in the same write.
     */
    async finishCommand(commandId: string, leaseId: string, finish: CommandFinish): Promise<boolean> {
      const updatedAt = iso();
      // A final `unknown` stays off the sweep's list: no check could ever settle it.
      const unsettled = finish.state === 'unknown' && !finish.final;
      const update = buildUpdate({
        set: {
          state: finish.state,
          error: finish.error,
          group_id: finish.groupId,
          message_handle: finish.messageHandle,
          failures: finish.failures,
          check_failures: finish.checkFailures,
          last_failure: finish.lastFailure,
          outage_since: finish.outageSince,
          outage_failures: finish.outageSince === undefined ? undefined : finish.outageFailures,
          outage_reason: finish.outageSince === undefined ? undefined : finish.outageReason,
          slot_at: finish.slot?.at,
          slot_line: finish.slot?.line,
          next_attempt_at: finish.nextAttemptAt,
          failed_message_id: finish.failedMessageId,
          updated_at: updatedAt,
          expires_at: expiresAt(),
          ...(unsettled ? { ...unsettledKeys(updatedAt, commandId), command_json: finish.commandJson } : {}),
        },
        setIfNotExists: { check_since: finish.checkSince },
        remove: [
          'lease_id',
          'lease_until',
          ...(unsettled ? [] : [GSI1PK, GSI1SK, 'command_json']),
          ...(finish.error === undefined ? ['error'] : []),
          ...(finish.slot === undefined ? ['slot_at', 'slot_line'] : []),
          ...(finish.nextAttemptAt === undefined ? ['next_attempt_at'] : []),
          ...(finish.failedMessageId === undefined ? ['failed_message_id'] : []),
          // No streak: the way to Sendblue answered (or never failed).
          ...(finish.outageSince === undefined ? ['outage_since', 'outage_failures', 'outage_reason'] : []),
        ],
      });
      return writeIfCondition(
        db,
        new UpdateCommand({
          TableName,
          Key: commandKey(commandId),
          ...update,
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#lease_id': 'lease_id' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':lease_id': leaseId },
          ConditionExpression: '#lease_id = :lease_id',
        }),
      );
    },

    /** A command that could not be read or validated: recorded as failed unless the id already means something else. */
    async recordRejectedCommand(commandId: string, type: string, error: string): Promise<void> {
      const update = buildUpdate({
        set: { command_id: commandId, type, state: 'failed', error, updated_at: iso(), expires_at: expiresAt() },
        setIfNotExists: { created_at: iso() },
      });
      await writeIfCondition(
        db,
        new UpdateCommand({
          TableName,
          Key: commandKey(commandId),
          ...update,
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#fingerprint': 'fingerprint' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':failed_state': 'failed' },
          // Never over an entry of a valid command (it has a fingerprint): that id is taken.
          ConditionExpression: `attribute_not_exists(${PK}) OR (#state = :failed_state AND attribute_not_exists(#fingerprint))`,
        }),
      );
    },

    /**
     * A different command arrived with this id and was refused: its fingerprint is added to the
     * entry, so the producer of the second command can see it was not sent (GET /commands/{id}).
     */
    async recordRefusedReuse(commandId: string, fingerprint: string): Promise<void> {
      // No entry (nothing to mark): nothing changes.
      await writeIfCondition(
        db,
        new UpdateCommand({
          TableName,
          Key: commandKey(commandId),
          UpdateExpression: 'ADD #refused :refused SET #last_refused_at = :at',
          ExpressionAttributeNames: { '#refused': 'refused_fingerprints', '#last_refused_at': 'last_refused_at' },
          ExpressionAttributeValues: { ':refused': new Set([fingerprint]), ':at': iso() },
          ConditionExpression: `attribute_exists(${PK})`,
        }),
      );
    },

    /**
     * Stores an accepted send under its group. Status webhooks may have arrived first (Sendblue
     * calls back fast): their status is kept, never moved back to QUEUED. Returns the status that
     * was already there, if any, so the caller can relay it to the command's own callback.
     */
    async putOutboundMessage(message: OutboundMessage): Promise<{ earlierStatus?: string }> {
      const update = buildUpdate({
        set: {
          message_handle: message.messageHandle,
          group_id: message.groupId,
          direction: 'outbound',
          content: message.content,
          media_url: message.mediaUrl,
          from_number: message.fromNumber,
          date_sent: message.dateSent,
          send_style: message.sendStyle,
          participants: message.participants,
          relay_url: message.relayUrl,
          command_id: message.commandId,
          ...(message.groupId ? timelineKeys(message.groupId, message.dateSent, message.messageHandle) : {}),
        },
        setIfNotExists: {
          status: message.status,
          status_rank: statusRank(message.status),
          date_updated: message.dateUpdated ?? message.dateSent,
          received_at: iso(),
        },
      });
      const out = await db.send(
        new UpdateCommand({
          TableName,
          Key: messageKey(message.messageHandle),
          ...update,
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const earlier = out.Attributes?.status;
      return { earlierStatus: typeof earlier === 'string' ? earlier : undefined };
    },
  };
}
