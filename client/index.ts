/**
 * The package's producer library: send commands to the command queue, read conversations and
 * command states back, inspect and redrive the DLQ. Works against the sandbox and a deployed stack.
 *
 *   import { createGroupsProducer, sandboxTarget } from 'sendblue-groups';
 *   const producer = createGroupsProducer(sandboxTarget());       // or: await awsTarget({ stackName })
 *   const { command_id } = await producer.sendGroupMessage({ numbers: ['+15551230001', '+15551230002'], content: 'Hi' });
 */
export {
  CommandValidationError,
  messageGroupIdFor,
  ownOutcome,
  prepareCommand,
  type CommandStateView,
  type OwnOutcome,
  type PreparedCommand,
} from './commands.js';
export {
  createGroupsProducer,
  sqsClientFor,
  type GroupsProducer,
  type QueuedCommand,
  type RecipientInput,
  type RenameInput,
  type SendGroupMessageInput,
  type SendReactionInput,
  type SetContactOptInput,
} from './producer.js';
export { createReader, RemoteError, signGet, type Reader } from './reader.js';
export { awsTarget, DEFAULT_STACK_NAME, sandboxTarget, TargetError, targetFromOutputs, type Target } from './target.js';
export {
  countDeadLetters,
  deleteDeadLetters,
  listDeadLetters,
  moveDeadLetters,
  redriveDeadLetters,
  type DeadLetter,
  type RedrivenLetter,
  type RedriveOptions,
  type RedriveOutcome,
} from './dead-letters.js';
export {
  classifyDeadLetter,
  type DeadLetterClass,
  type DeadLetterKind,
} from '../lambdas/contract/dead-letters.js';
export { followEvents, listEvents, type EventEnvelope } from './events.js';
export { runBackfill, type BackfillReport } from './backfill.js';
export {
  validateCommand,
  type GroupCommand,
  type ModifyGroupCommand,
  type SendGroupMessageCommand,
  type SendReactionCommand,
  type SetContactOptCommand,
} from '../lambdas/contract/commands.js';
export { isCommandSettled } from '../lambdas/contract/views.js';
export type {
  CommandView,
  GroupView,
  MessageDetailView,
  MessagePageView,
  MessageView,
  TimelineMessageView,
} from '../lambdas/contract/views.js';
export type { ReactionView } from '../lambdas/contract/reactions.js';
export { REACTIONS, type Reaction } from '../lambdas/contract/sendblue-rules.js';
