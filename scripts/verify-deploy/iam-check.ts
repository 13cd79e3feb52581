/**
 * The IAM check of `npm run verify:deploy`: every AWS call a function's code (or its event source
 * mapping) made in the sandbox, and every KMS call those imply (kms.ts), evaluated against that
 * function's role in the synthesized template, with @cloud-copilot/iam-simulate. The policies are
 * resolved (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) to the very resources the sandbox used, in its fake
 * account and region, so a recorded ARN and a policy's ARN name the same thing. The resource's own
 * policy (SQS queue policies, S3 bucket policies) takes part too, with the request over TLS.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { SANDBOX_ACCOUNT } from '../../lambdas/contract/sandbox.js';
import type { RecordedCall, UnclassifiedCall } from '../../sandbox/bundles/aws-proxy.js';
import { resourceRoles, sandboxContext, type SandboxResources } from '../../sandbox/bundles/resources.js';
import {
  asArray,
  type CfnTemplate,
  type IntrinsicContext,
  referencedId,
  resolveIntrinsics,
  rolePolicies,
  templateFunctions,
} from '../../sandbox/bundles/template.js';
import { encryptionOf, impliedKmsCalls } from './kms.js';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | 'NotEvaluated';

export interface Verdict {
  function: string;
  via: RecordedCall['via'];
  action: string;
  resource: string;
  decision: Decision;
  /** Why, when not allowed (or why it could not be evaluated). */
  detail?: string;
  /** For a KMS call: the call that implies it. */
  because?: string;
}

export interface IamCheckInput {
  template: CfnTemplate;
  /** The sandbox's resources the template was resolved to (GET /__sandbox/aws-calls gives them). */
  resources: SandboxResources;
  calls: RecordedCall[];
  unclassified?: UnclassifiedCall[];
}

export interface IamCheckResult {
  verdicts: Verdict[];
  /** Verdicts that are not Allowed, and unclassified calls: any makes the check fail. */
  failures: string[];
}

export async function checkIam(input: IamCheckInput): Promise<IamCheckResult> {
  const { template } = input;
  const functions = templateFunctions(template);
  const context = sandboxContext(template, resourceRoles(template, functions), input.resources);
  const resourcePolicies = resourcePoliciesOf(template, context);
  type Identity = { error: string } | { principal: string; policies: Array<{ name: string; policy: unknown }> };
  const identityOf = (roleLogicalId: string | undefined): Identity => {
    if (!roleLogicalId) return { error: 'its role is not in the template' };
    const { policies, managedPolicyArns } = rolePolicies(template, roleLogicalId);
    if (managedPolicyArns.length) {
      return { error: `its role has managed policies the template does not hold (${managedPolicyArns.length})` };
    }
    return {
      principal: context.getAtt(roleLogicalId, 'Arn'),
      policies: policies.map((policy) => ({ name: policy.name, policy: resolveIntrinsics(policy.document, context) })),
    };
  };
  const identities = new Map(functions.map((fn) => [fn.name, identityOf(fn.roleLogicalId)]));

  const evaluate = async (call: Omit<Verdict, 'decision' | 'detail'>): Promise<Verdict> => {
    const identity = identities.get(call.function);
    if (!identity || 'error' in identity) {
      return { ...call, decision: 'NotEvaluated', detail: identity?.error ?? 'no such function in the template' };
    }
    const resourcePolicy = call.action.startsWith('kms:')
      ? keyPolicyOf(template, context, call.resource)
      : resourcePolicies.find((entry) => entry.covers(call.resource))?.policy;
    const result = await runSimulation(
      {
        identityPolicies: identity.policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy,
        request: {
          principal: identity.principal,
          action: call.action,
          resource: { resource: call.resource, accountId: SANDBOX_ACCOUNT },
          // The SDK calls AWS over TLS (the TLS-only resource policies' condition).
          contextVariables: { 'aws:SecureTransport': 'true' },
        },
      },
      {},
    );
    if (result.resultType === 'error') {
      return {
        ...call,
        decision: 'NotEvaluated',
        detail: `the simulator refused the request: ${JSON.stringify(result.errors)}`,
      };
    }
    return { ...call, decision: result.overallResult as Decision };
  };

  const recorded = await Promise.all(input.calls.map((call) => evaluate(pick(call))));
  // Only a call that is allowed reaches the key (a refused one is reported already).
  const allowed = input.calls.filter((_, index) => recorded[index]!.decision === 'Allowed');
  const kms = await Promise.all(
    impliedKmsCalls(allowed, encryptionOf(template, context)).map((call) => evaluate(call)),
  );
  const verdicts = [...recorded, ...kms];
  const failures = [
    ...verdicts.filter((verdict) => verdict.decision !== 'Allowed').map(describeFailure),
    ...(input.unclassified ?? []).map(
      (call) => `${call.function ?? 'an unknown caller'}: ${call.operation} could not be checked: ${call.problem}`,
    ),
  ];
  return { verdicts, failures };
}

const pick = (call: RecordedCall): Omit<Verdict, 'decision' | 'detail'> => ({
  function: call.function,
  via: call.via,
  action: call.action,
  resource: call.resource,
});

export function describeFailure(verdict: Verdict): string {
  const who = verdict.via === 'code' ? verdict.function : `${verdict.function} (its ${verdict.via})`;
  const what =
    verdict.decision === 'NotEvaluated'
      ? `could not be evaluated: ${verdict.detail}`
      : `is not allowed by its role (${verdict.decision})`;
  return `${who}: ${verdict.action} on ${verdict.resource} ${what}${verdict.because ? `; needed for ${verdict.because}` : ''}`;
}

/**
 * A key's policy: the template's (resolved), or, for a key it does not hold or one without a
 * KeyPolicy, the default one (the account's IAM policies decide), which verify:deploy cannot check.
 */
function keyPolicyOf(template: CfnTemplate, context: IntrinsicContext, keyArn: string): unknown {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::KMS::Key' || context.getAtt(id, 'Arn') !== keyArn) continue;
    if (resource.Properties?.KeyPolicy) return resolveIntrinsics(resource.Properties.KeyPolicy, context);
  }
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SANDBOX_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    ],
  };
}

interface ResourcePolicy {
  covers(arn: string): boolean;
  policy: unknown;
}

/** The SQS queue policies and S3 bucket policies of the template, resolved, with the ARNs each covers. */
export function resourcePoliciesOf(template: CfnTemplate, context: IntrinsicContext): ResourcePolicy[] {
  const found: ResourcePolicy[] = [];
  for (const resource of Object.values(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::SQS::QueuePolicy') {
      const arns = asArray(props.Queues)
        .map(referencedId)
        .filter((id): id is string => id !== undefined)
        .map((id) => context.getAtt(id, 'Arn'));
      found.push({ covers: (arn) => arns.includes(arn), policy: resolveIntrinsics(props.PolicyDocument, context) });
    }
    if (resource.Type === 'AWS::S3::BucketPolicy') {
      const id = referencedId(props.Bucket);
      if (!id) continue;
      const bucket = context.getAtt(id, 'Arn');
      found.push({
        covers: (arn) => arn === bucket || arn.startsWith(`${bucket}/`),
        policy: resolveIntrinsics(props.PolicyDocument, context),
      });
    }
  }
  return found;
}
