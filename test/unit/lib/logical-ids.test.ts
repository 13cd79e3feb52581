/**
 * The stack holds the SendblueGroups construct under the id `Default`, which CDK leaves out of
 * logical ids and generated names: an existing deployment of this repo's stack keeps every
 * resource (nothing replaced, no data lost) and the command queue its name. Checked against the
 * ids the stack had before the construct existed (test/fixtures/stack-logical-ids.json).
 */
import { describe, expect, it } from 'vitest';
import before from '../../fixtures/stack-logical-ids.json' with { type: 'json' };
import { ADDED_SINCE_LOGICAL_ID_FIXTURE, resourcesOfType, synthStack } from '../../support/cdk.js';

/** Resources holding data or identity: replacing one loses it (or changes what users configured). */
const STATEFUL = [
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::SecretsManager::Secret',
  'AWS::S3::Bucket',
  'AWS::Events::EventBus',
  'AWS::Events::Archive',
  'AWS::KMS::Key',
  'AWS::SNS::Topic',
  'AWS::Logs::LogGroup',
];

const { template } = synthStack();
const now = Object.fromEntries(
  Object.entries(template.toJSON().Resources as Record<string, { Type: string }>).map(([id, r]) => [id, r.Type]),
);
const beforeIds = before.resources as Record<string, string>;
const ADDED = ADDED_SINCE_LOGICAL_ID_FIXTURE;
const existing = Object.fromEntries(Object.entries(now).filter(([id]) => !ADDED.test(id)));

describe('logical ids of this repo stack, with the construct inside', () => {
  it.each(STATEFUL)('%s: the same logical ids as before the construct', (type) => {
    const ids = (resources: Record<string, string>) =>
      Object.entries(resources)
        .filter(([, t]) => t === type)
        .map(([id]) => id)
        .sort();
    expect(ids(beforeIds).length, `${type} in the fixture`).toBeGreaterThan(0);
    expect(ids(existing)).toEqual(ids(beforeIds));
  });

  it('the table, queues, secrets, bucket and bus keep their exact ids', () => {
    for (const id of [
      'TableCD117FA1',
      'CommandQueue3BE83037',
      'CommandQueueDeadLetterQueue5E8DE8F9',
      'ApiCredentials',
      'WebhookSecret',
      'StatusCallbackToken',
      'MediaBucket4022EBBF',
      'EventsBus45DE4339',
    ]) {
      expect(beforeIds[id], id).toBeDefined();
      expect(now[id], id).toBe(beforeIds[id]);
    }
  });

  it('every other resource keeps its id too (nothing is replaced); only the contacts ledger is new', () => {
    expect(existing).toEqual(beforeIds);
    const added = Object.keys(now).filter((id) => !(id in beforeIds));
    expect(added.length).toBeGreaterThan(0);
    expect(added.filter((id) => !ADDED.test(id))).toEqual([]);
  });

  it('the command queue keeps its name (a new name would replace the queue)', () => {
    const names = resourcesOfType(template, 'AWS::SQS::Queue').flatMap(([, queue]) =>
      queue.Properties?.QueueName ? [queue.Properties.QueueName] : [],
    );
    expect(names).toEqual([before.commandQueueName]);
  });
});
