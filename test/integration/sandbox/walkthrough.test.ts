/**
 * docs/walkthrough.md end to end (scripts/verify-deploy/walkthrough.ts: send, delivery, a reply,
 * add/rename/remove, events, media, a 429, a failure on the DLQ and its redrive, the backfill, a
 * refused webhook) against `npm start` as a process, in both code modes: the TypeScript source, and
 * the very bundles `cdk synth` wrote to cdk.out (SANDBOX_CODE=bundles; synthesized first when stale).
 * In bundles mode, every AWS call the bundles made is evaluated against their roles in that
 * template (what `npm run verify:deploy` does) and passes; with one action taken out of the
 * sender's policy, the same calls fail, naming function, action and resource.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { statusCallbackToken } from '../../../sandbox/static-secrets.js';
import { SANDBOX_AWS_CALLS_PATH } from '../../../sandbox/bundles/aws-calls-route.js';
import {
  type CfnTemplate,
  type PolicyStatement,
  rolePolicies,
  templateFunctions,
} from '../../../sandbox/bundles/template.js';
import { checkIam } from '../../../scripts/verify-deploy/iam-check.js';
import { type SandboxProcess, startSandboxProcess } from '../../../scripts/verify-deploy/sandbox-process.js';
import { runWalkthrough } from '../../../scripts/verify-deploy/walkthrough.js';

const running: SandboxProcess[] = [];
afterAll(async () => {
  for (const sandbox of running) await sandbox.stop();
});

describe.each(['source', 'bundles'] as const)('the walkthrough with SANDBOX_CODE=%s', (code) => {
  it('passes end to end; the log is readable and holds no secret', async () => {
    const sandbox = await startSandboxProcess({ code, env: { SANDBOX_BACKFILL_SECONDS: '0' } });
    running.push(sandbox);
    expect(sandbox.output()).toContain(
      code === 'bundles'
        ? 'Lambda code       the bundles in cdk.out (template cdk.out/SendblueGroups.template.json), as deployed'
        : 'Lambda code       source (TypeScript through tsx',
    );

    const report = await runWalkthrough(sandbox);
    expect(report.steps).toHaveLength(10);
    expect(report.eventTypes).toEqual(
      expect.arrayContaining(['Command Settled', 'Message Status Changed', 'Group Message Received', 'Group Changed']),
    );
    // The bundles' own log lines, readable as in source mode, numbers masked, no secret.
    expect(sandbox.output()).toMatch(/sender +command sent {2}command_id=/);
    expect(sandbox.output()).not.toMatch(/(from_number|numbers|number)=\S*\+1555123000\d/);
    expect(sandbox.output()).not.toContain(statusCallbackToken('sandbox-webhook-secret'));
    expect(sandbox.output()).not.toMatch(/sandbox-secret(?!-)/);

    if (code === 'source') {
      expect((await fetch(`${sandbox.api}${SANDBOX_AWS_CALLS_PATH}`)).status).toBe(404);
      return;
    }
    const { template: templateFile, ...recorded } = (await (
      await fetch(`${sandbox.api}${SANDBOX_AWS_CALLS_PATH}`)
    ).json()) as { template: string } & Omit<Parameters<typeof checkIam>[0], 'template'>;
    const template = JSON.parse(readFileSync(templateFile, 'utf8')) as CfnTemplate;
    expect(new Set(recorded.calls.filter((call) => call.via === 'code').map((call) => call.function))).toEqual(
      new Set(['ingest', 'read', 'sender', 'events', 'media', 'backfill', 'contacts']),
    );
    expect(recorded.calls.map((call) => `${call.function} ${call.action}`)).toEqual(
      expect.arrayContaining([
        'sender sqs:SendMessage',
        'sender sqs:ReceiveMessage',
        'sender secretsmanager:GetSecretValue',
        'ingest dynamodb:PutItem',
        'read s3:GetObject',
        'media s3:PutObject',
        'events events:PutEvents',
        'events dynamodb:GetRecords',
        'backfill dynamodb:BatchGetItem',
        'contacts dynamodb:UpdateItem',
        'contacts dynamodb:GetRecords',
        'sender dynamodb:BatchGetItem',
      ]),
    );
    const passed = await checkIam({ template, ...recorded });
    expect(passed.failures).toEqual([]);
    expect(passed.verdicts.length).toBeGreaterThanOrEqual(recorded.calls.length);

    // One action out of the sender's policy: the DLQ's sqs:SendMessage.
    const sender = templateFunctions(template).find((fn) => fn.name === 'sender')!;
    const [policy] = rolePolicies(template, sender.roleLogicalId!).policies.filter((candidate) =>
      JSON.stringify(candidate.document).includes('sqs:SendMessage'),
    );
    const statement = [policy!.document.Statement]
      .flat()
      .find((candidate: PolicyStatement) => [candidate.Action].flat().includes('sqs:SendMessage'))!;
    const remaining = [statement.Action].flat().filter((action) => action !== 'sqs:SendMessage');
    statement.Action = remaining.length ? remaining : 'sqs:ListQueues';
    const dlq = recorded.calls.find((call) => call.function === 'sender' && call.action === 'sqs:SendMessage')!;
    const failed = await checkIam({ template, ...recorded });
    expect(failed.failures).toEqual([
      `sender: sqs:SendMessage on ${dlq.resource} is not allowed by its role (ImplicitlyDenied)`,
    ]);
  }, 420_000);
});
