import type { IConstruct } from 'constructs';
import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synthStack } from '../../support/cdk.js';

interface Finding {
  rule: string;
  path: string;
}

/** Runs cdk-nag 3's AwsSolutions pack directly on the construct tree (what the synth plugin does). */
function findings(scope: IConstruct, options: { ignoreAcknowledgements?: boolean } = {}): Finding[] {
  const pack = new AwsSolutionsChecks();
  if (options.ignoreAcknowledgements) {
    // Test-only: see every raw finding, to prove each acknowledgement is still needed.
    Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  }
  const report = pack.validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({ rule: violation.ruleName, path: resource.constructPath ?? '?' })),
  );
}

/** Every acknowledgement in the tree: rule id, reason, and the construct it is attached to. */
function acknowledgements(root: IConstruct): { rule: string; reason: string; path: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          rule: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding (errors or warnings)', () => {
    const { app } = synthStack();
    expect(findings(app)).toEqual([]);
  });

  it('synth with the plugin registered (as bin/app.ts does) succeeds', () => {
    const { app } = synthStack({}, { nag: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('still catches a non-compliant resource (the check is live, not vacuous)', () => {
    const { app, stack } = synthStack();
    new Secret(stack, 'UnrotatedProbe');
    expect(findings(app)).toEqual([{ rule: 'AwsSolutions-SMG4', path: 'SendblueGroups/UnrotatedProbe/Resource' }]);
  });

  it('every acknowledgement is granular, explained, and matches a real finding on its construct', () => {
    const { app } = synthStack();
    const raw = findings(app, { ignoreAcknowledgements: true });
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.rule).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      // On the construct that owns the resource, never on the app, the whole stack or the whole construct.
      expect(ack.path.split('/').length, `${ack.rule} on ${ack.path} is too broad`).toBeGreaterThan(3);
      expect(ack.reason.length, `${ack.rule} on ${ack.path} needs a real reason`).toBeGreaterThan(40);
      const matched = raw.filter((finding) => finding.rule === ack.rule && finding.path.startsWith(`${ack.path}/`));
      expect(matched, `stale acknowledgement ${ack.rule} on ${ack.path}`).not.toEqual([]);
    }
  });

  it('acknowledges exactly the expected findings', () => {
    const { app, stack } = synthStack();
    const bucketId = stack.getLogicalId(stack.media!.bucket.node.defaultChild as never);
    const summary = acknowledgements(app)
      .map((ack) => `${ack.rule} @ ${ack.path}`)
      .sort();
    expect(summary).toEqual(
      [
        'AwsSolutions-APIG4 @ SendblueGroups/Default/HttpApi/GetHealth',
        'AwsSolutions-APIG4 @ SendblueGroups/Default/HttpApi/PostWebhooksReceive',
        'AwsSolutions-APIG4 @ SendblueGroups/Default/HttpApi/PostWebhooksStatus',
        'AwsSolutions-SMG4 @ SendblueGroups/Default/Secrets/ApiCredentials',
        'AwsSolutions-SMG4 @ SendblueGroups/Default/Secrets/StatusCallbackToken',
        'AwsSolutions-SMG4 @ SendblueGroups/Default/Secrets/WebhookSecret',
        'AwsSolutions-SQS3 @ SendblueGroups/Default/Contacts/Projector/FailureQueue',
        'AwsSolutions-SQS3 @ SendblueGroups/Default/Events/Publisher/FailureQueue',
        'AwsSolutions-SQS3 @ SendblueGroups/Default/Media/Copier/FailureQueue',
        'AwsSolutions-IAM5[Resource::*] @ SendblueGroups/Default/Contacts/Projector/Function/Role',
        'AwsSolutions-IAM5[Resource::*] @ SendblueGroups/Default/Events/Publisher/Function/Role',
        'AwsSolutions-IAM5[Resource::*] @ SendblueGroups/Default/Media/Copier/Function/Role',
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/media/*] @ SendblueGroups/Default/Media/Copier/Function/Role`,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/media/*] @ SendblueGroups/Default/ReadFunction/Role`,
        'AwsSolutions-S1 @ SendblueGroups/Default/Media/Bucket',
      ].sort(),
    );
  });
});
