/**
 * The producer client: puts commands on the command queue (docs/contract.md §5), validated with the
 * sender's own rules, in the right FIFO group, with a command_id that it returns.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type {
  GroupCommand,
  ModifyGroupCommand,
  SendGroupMessageCommand,
  SendReactionCommand,
  SetContactOptCommand,
} from '../lambdas/contract/commands.js';
import { prepareCommand } from './commands.js';
import { RemoteError, unreachableMessage } from './reader.js';
import { quietDefaultProvider, quietly } from './sdk-warning.js';
import type { Target } from './target.js';

export type SendGroupMessageInput = Omit<SendGroupMessageCommand, 'type'>;
export type SendReactionInput = Omit<SendReactionCommand, 'type'>;
export type SetContactOptInput = Omit<SetContactOptCommand, 'type'>;
interface ModifyBase {
  group_id: string;
  command_id?: string;
  from_number?: string;
}
export type RecipientInput = ModifyBase & { number: string };
export type RenameInput = ModifyBase & { name: string };

export interface QueuedCommand {
  command_id: string;
  /** The SQS message id. */
  message_id: string;
  message_group_id: string;
  /** Compare with GET /commands/{id} (`ownOutcome`): is the state there this command's? */
  fingerprint: string;
}

export interface GroupsProducer {
  sendGroupMessage(input: SendGroupMessageInput): Promise<QueuedCommand>;
  addRecipient(input: RecipientInput): Promise<QueuedCommand>;
  removeRecipient(input: RecipientInput): Promise<QueuedCommand>;
  renameGroup(input: RenameInput): Promise<QueuedCommand>;
  /**
   * A tapback on a message. `groupId`: the message's group, when you know it (GET /messages/{handle}
   * has it), so the tapback takes its place among the group's commands; else it is queued under
   * the message handle. Sendblue cannot be asked whether it took a tapback: one whose call may
   * have reached it ends `unknown` for good and is never sent again (docs/sending.md "Reactions").
   */
  sendReaction(input: SendReactionInput, options?: { groupId?: string }): Promise<QueuedCommand>;
  /**
   * Marks a contact opted out (`opted_out: true`) or back in (`false`): a set_contact_opt, applied by
   * the sender to the contacts ledger with no Sendblue call, dated when it is queued (a STOP or
   * START the number texts later still wins). One of our lines is refused (docs/sending.md
   * "Contact opt-outs").
   */
  setContactOpt(input: SetContactOptInput): Promise<QueuedCommand>;
  /** Any command, as it would be written on the queue (`groupId`: see sendReaction). */
  send(command: GroupCommand, options?: { groupId?: string }): Promise<QueuedCommand>;
  close(): void;
}

export function sqsClientFor(target: Target): SQSClient {
  return quietly(
    () =>
      new SQSClient({
        region: target.region,
        ...(target.sqsEndpoint ? { endpoint: target.sqsEndpoint } : {}),
        ...(target.credentials
          ? { credentials: target.credentials }
          : { credentialDefaultProvider: quietDefaultProvider }),
      }),
  );
}

/**
 * `createGroupsProducer(sandboxTarget())` or `createGroupsProducer(await awsTarget())`.
 * Invalid input throws CommandValidationError before anything is sent; a queue that cannot be
 * reached throws RemoteError.
 */
export function createGroupsProducer(target: Target, options: { sqs?: SQSClient } = {}): GroupsProducer {
  const sqs = options.sqs ?? sqsClientFor(target);
  const send: GroupsProducer['send'] = async (command, sendOptions = {}) => {
    const prepared = prepareCommand(command, sendOptions);
    try {
      const out = await sqs.send(new SendMessageCommand({ QueueUrl: target.commandQueueUrl, ...prepared.message }));
      return {
        command_id: prepared.commandId,
        message_id: out.MessageId ?? '',
        message_group_id: prepared.message.MessageGroupId,
        fingerprint: prepared.fingerprint,
      };
    } catch (error) {
      throw new RemoteError(unreachableMessage(target, target.commandQueueUrl, error, 'queue the command on'));
    }
  };
  const modify = (
    modify_type: ModifyGroupCommand['modify_type'],
    input: ModifyBase & { number?: string; name?: string },
  ) => send({ type: 'modify_group', modify_type, ...input });
  return {
    send,
    sendGroupMessage: (input) => send({ type: 'send_group_message', ...input }),
    addRecipient: (input) => modify('add_recipient', input),
    removeRecipient: (input) => modify('remove_recipient', input),
    renameGroup: (input) => modify('rename', input),
    sendReaction: (input, reactionOptions) => send({ type: 'send_reaction', ...input }, reactionOptions),
    setContactOpt: (input) => send({ type: 'set_contact_opt', ...input }),
    close: () => {
      if (!options.sqs) sqs.destroy();
    },
  };
}
