/**
 * `sendblue-groups/cdk`: the SendblueGroups construct for your own CDK app (docs/embedding.md).
 * aws-cdk-lib and constructs are the app's own: optional peer dependencies of this package.
 *
 *   import { SendblueGroups } from 'sendblue-groups/cdk';
 *   const messaging = new SendblueGroups(this, 'Messaging', { fromNumber: '+14155550123' });
 */
export {
  SendblueGroups,
  SendblueGroupsPropsError,
  type SendblueGroupsFunctions,
  type SendblueGroupsParts,
  type SendblueGroupsProps,
  type SendblueGroupsSettings,
} from './sendblue-groups.js';
export { Backfill, type BackfillProps } from './constructs/backfill.js';
export { CommandQueue, type CommandQueueProps } from './constructs/command-queue.js';
export { DomainEvents, type DomainEventsProps } from './constructs/domain-events.js';
export { SendblueHttpApi, type SendblueHttpApiProps } from './constructs/http-api.js';
export { MediaArchive, type MediaArchiveProps } from './constructs/media-archive.js';
export { NodeFunction, type NodeFunctionProps } from './constructs/node-function.js';
export { Operations, type OperationsProps } from './constructs/operations.js';
export { ReadApi, type ReadApiProps } from './constructs/read-api.js';
export { SendblueSecrets, type SendblueSecretsProps } from './constructs/secrets.js';
export { CommandSender, type CommandSenderProps } from './constructs/sender.js';
export { SendblueGroupsTable, type SendblueGroupsTableProps } from './constructs/table.js';
export { WebhookIngest, type WebhookIngestProps } from './constructs/webhook-ingest.js';
