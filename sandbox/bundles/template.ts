/**
 * Reading a synthesized CloudFormation template as plain data: the stack's Lambda functions (found
 * by their HANDLER_TAG, never by logical id), the roles' policies, and CloudFormation's intrinsic
 * functions resolved against values the caller chooses (the sandbox's resources, or made-up ones of
 * a fake account). No aws-cdk-lib here: the sandbox and `npm run verify:deploy` read the JSON file.
 */
import { HANDLER_TAG } from '../../lambdas/contract/stack.js';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One of the stack's Lambda functions, as the template describes it. */
export interface TemplateFunction {
  /** The handler's name from HANDLER_TAG: ingest, read, sender, events, media, backfill. */
  name: string;
  /** For messages only (logical ids may change). */
  logicalId: string;
  /** `<module>.<export>`, e.g. `index.handler`. */
  handler: string;
  /** The bundle's folder in cdk.out (the asset `Code` points at), from `aws:asset:path`. */
  assetPath?: string;
  /** The environment variables as the template gives them (intrinsics unresolved). */
  environment: Record<string, unknown>;
  /** The execution role's logical id, when the role is in the template. */
  roleLogicalId?: string;
  timeoutSeconds: number;
  memorySize: number;
}

/** CloudFormation's defaults when the properties are not set. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
const LAMBDA_DEFAULT_MEMORY_MB = 128;

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The logical id a `Ref` or `Fn::GetAtt` names, when `value` is one (`undefined` otherwise). */
export function referencedId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every tagged Lambda function of the stack (functions CDK adds itself carry no tag and are left out). */
export function templateFunctions(template: CfnTemplate): TemplateFunction[] {
  const found: TemplateFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const tags = asArray(props.Tags as Array<{ Key: string; Value: unknown }> | undefined);
    const name = tags.find((tag) => tag.Key === HANDLER_TAG)?.Value;
    if (typeof name !== 'string') continue;
    const assetPath = resource.Metadata?.['aws:asset:path'];
    const env = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    found.push({
      name,
      logicalId,
      handler: String(props.Handler ?? 'index.handler'),
      assetPath: typeof assetPath === 'string' ? assetPath : undefined,
      environment: env,
      roleLogicalId: referencedId(props.Role),
      timeoutSeconds: Number(props.Timeout ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS),
      memorySize: Number(props.MemorySize ?? LAMBDA_DEFAULT_MEMORY_MB),
    });
  }
  const names = found.map((fn) => fn.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice) throw new Error(`Two functions in the template carry ${HANDLER_TAG}=${twice}`);
  return found;
}

/** A statement of an IAM policy document (the fields the checks read). */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

export interface NamedPolicy {
  /** Where it comes from, for messages: the AWS::IAM::Policy's logical id or `<role>/<PolicyName>`. */
  name: string;
  document: { Version?: string; Statement: PolicyStatement[] | PolicyStatement };
}

/**
 * The identity policies of a role in the template: its inline `Policies` and every AWS::IAM::Policy
 * attached to it (unresolved). Managed policy ARNs are returned apart: they are not in the template.
 */
export function rolePolicies(
  template: CfnTemplate,
  roleLogicalId: string,
): { policies: NamedPolicy[]; managedPolicyArns: unknown[] } {
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not an AWS::IAM::Role`);
  const inline = asArray(role.Properties?.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }>).map(
    (policy) => ({
      name: `${roleLogicalId}/${policy.PolicyName}`,
      document: policy.PolicyDocument as NamedPolicy['document'],
    }),
  );
  const attached = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
    .filter(([, resource]) => asArray(resource.Properties?.Roles).some((ref) => referencedId(ref) === roleLogicalId))
    .map(([logicalId, resource]) => ({
      name: logicalId,
      document: resource.Properties!.PolicyDocument as NamedPolicy['document'],
    }));
  return { policies: [...inline, ...attached], managedPolicyArns: asArray(role.Properties?.ManagedPolicyArns) };
}

/** What `Ref` and `Fn::GetAtt` mean for each logical id, and the pseudo parameters (`AWS::Region`...). */
export interface IntrinsicContext {
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
  pseudo: Record<string, string>;
}

export class UnresolvableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableError';
  }
}

/**
 * Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split (what CDK writes into
 * environments and policies) anywhere inside `value`; anything else (Fn::If, Fn::ImportValue...)
 * throws UnresolvableError naming it.
 */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, context));
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
    return resolveFunction(keys[0]!, record[keys[0]!], context);
  }
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(record[key], context)]));
}

/** resolveIntrinsics for a value that must end up a string. */
export function resolveString(value: unknown, context: IntrinsicContext): string {
  const resolved = resolveIntrinsics(value, context);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  throw new UnresolvableError(`expected a string, got ${JSON.stringify(resolved)}`);
}

function resolveFunction(name: string, argument: unknown, context: IntrinsicContext): unknown {
  switch (name) {
    case 'Ref': {
      const id = String(argument);
      return id.startsWith('AWS::') ? pseudo(id, context) : context.ref(id);
    }
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/s);
      return context.getAtt(String(id), String(resolveString(attribute, context)));
    }
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown[]];
      const resolved = resolveIntrinsics(parts, context);
      if (!Array.isArray(resolved)) throw new UnresolvableError('Fn::Join needs a list');
      return resolved.map((part) => resolveString(part, context)).join(separator);
    }
    case 'Fn::Sub': {
      const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
      const given = resolveIntrinsics(variables ?? {}, context) as Record<string, unknown>;
      return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_whole, literal: string, inner: string) => {
        if (literal) return `\${${inner}}`;
        if (inner in given) return resolveString(given[inner], context);
        if (inner.startsWith('AWS::')) return pseudo(inner, context);
        const [id, attribute] = inner.split(/\.(.*)/s);
        return attribute ? context.getAtt(id!, attribute) : context.ref(id!);
      });
    }
    case 'Fn::Select': {
      const [index, list] = argument as [unknown, unknown];
      const resolved = resolveIntrinsics(list, context);
      if (!Array.isArray(resolved)) throw new UnresolvableError('Fn::Select needs a list');
      return resolved[Number(resolveIntrinsics(index, context))];
    }
    case 'Fn::Split': {
      const [separator, text] = argument as [string, unknown];
      return resolveString(text, context).split(separator);
    }
    default:
      throw new UnresolvableError(`${name} is not resolved here`);
  }
}

function pseudo(name: string, context: IntrinsicContext): string {
  const value = context.pseudo[name];
  if (value === undefined) throw new UnresolvableError(`pseudo parameter ${name} has no value here`);
  return value;
}
