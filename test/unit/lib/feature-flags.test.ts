/**
 * cdk.json sets CDK's recommended feature flags (what `cdk init` writes for the installed
 * aws-cdk-lib), and they change nothing that matters in the deployed stack: every logical id and
 * the command queue's name stay as test/fixtures/stack-logical-ids.json has them (nothing is
 * replaced), cdk-nag stays clean, and the only other change is the order of actions and resources
 * in two IAM policies (`@aws-cdk/aws-iam:minimizePolicies` sorts them). A new aws-cdk-lib that
 * recommends more flags fails the first case: add them to cdk.json once this file's other cases
 * pass with them (docs/deploy.md "Feature flags").
 */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { fileURLToPath } from 'node:url';
import recommended from 'aws-cdk-lib/recommended-feature-flags.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import before from '../../fixtures/stack-logical-ids.json' with { type: 'json' };
import { SendblueGroups } from '../../../lib/sendblue-groups.js';
import {
  ADDED_SINCE_LOGICAL_ID_FIXTURE,
  NO_BUNDLING,
  resourcesOfType,
  synthStack,
  unacknowledgedFindings,
} from '../../support/cdk.js';

const cdkJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../../cdk.json', import.meta.url)), 'utf8')) as {
  context: Record<string, unknown>;
};
/** The feature flags in cdk.json: every context key of CDK's own (`@aws-cdk/...`, `@aws-cdk-containers/...`). */
const flags = Object.fromEntries(Object.entries(cdkJson.context).filter(([key]) => key.startsWith('@aws-cdk')));
/** A real-looking line: the placeholder's synth warning would only be noise here. */
const LINE = { fromNumber: '+14155550123' };

/** The settings that add or remove the most resources: the defaults, everything on, everything off. */
const CONFIGS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'everything on': { alarmEmail: 'ops@example.com', backfillLines: '+14155550124' },
  'everything off': { alarms: false, dashboard: false, events: false, media: false, backfillIntervalMinutes: 0 },
};

type Resources = Record<string, Record<string, unknown>>;
const resources = (context: Record<string, unknown>): Resources => {
  const all = synthStack({ ...LINE, ...context }).template.toJSON().Resources as Resources;
  const { CDKMetadata: _analytics, ...rest } = all;
  return rest;
};

/** IAM lists whose order means nothing (statements, actions, resources), sorted; everything else as it is. */
function withoutPolicyOrder(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => withoutPolicyOrder(item));
    return ['Statement', 'Action', 'NotAction', 'Resource', 'NotResource'].includes(key)
      ? items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      : items;
  }
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutPolicyOrder(v, k)]));
  return value;
}

describe("CDK's recommended feature flags in cdk.json", () => {
  it('cdk.json sets every flag the installed aws-cdk-lib recommends for a new app, at its recommended value', () => {
    expect(flags).toEqual(recommended);
  });

  it('with them the stack keeps every logical id of the fixture and the command queue its name', () => {
    // The fixture's default context (the placeholder line names the line alarms; synth warns about it).
    const { template } = synthStack({ ...flags });
    const now = Object.fromEntries(
      Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
        .filter(([id]) => !ADDED_SINCE_LOGICAL_ID_FIXTURE.test(id))
        .map(([id, r]) => [id, r.Type]),
    );
    expect(now).toEqual(before.resources);
    const names = resourcesOfType(template, 'AWS::SQS::Queue').flatMap(([, queue]) =>
      queue.Properties?.QueueName ? [queue.Properties.QueueName] : [],
    );
    expect(names).toEqual([before.commandQueueName]);
  });

  it.each(Object.entries(CONFIGS))(
    '%s: the same resources, ids and properties; only IAM policy lists are reordered',
    (_name, context) => {
      const without = resources(context);
      const withFlags = resources({ ...flags, ...context });
      expect(Object.keys(withFlags).sort()).toEqual(Object.keys(without).sort());
      expect(withoutPolicyOrder(withFlags)).toEqual(withoutPolicyOrder(without));
      const changed = Object.keys(without).filter(
        (id) => JSON.stringify(without[id]) !== JSON.stringify(withFlags[id]),
      );
      for (const id of changed) expect(without[id]!.Type, id).toBe('AWS::IAM::Policy');
    },
  );

  it("the construct in a user's own app (whose cdk.json decides): the same with or without them", () => {
    const consumer = (context: Record<string, unknown>) => {
      const app = new App({ builtinCloudFormationValidation: false, context: { ...NO_BUNDLING, ...context } });
      const stack = new Stack(app, 'Consumer');
      new SendblueGroups(stack, 'Messaging', { ...LINE, alarmEmail: 'ops@example.com' });
      const { CDKMetadata: _analytics, ...rest } = Template.fromStack(stack).toJSON().Resources as Resources;
      return { app, resources: rest };
    };
    const without = consumer({});
    const withFlags = consumer(flags);
    expect(withoutPolicyOrder(withFlags.resources)).toEqual(withoutPolicyOrder(without.resources));
    expect(unacknowledgedFindings(withFlags.app)).toEqual([]);
  });

  it('cdk-nag (AwsSolutions) finds nothing unacknowledged with them', () => {
    for (const context of Object.values(CONFIGS)) {
      const { app } = synthStack({ ...flags, ...LINE, ...context });
      expect(unacknowledgedFindings(app)).toEqual([]);
    }
  });
});
