/**
 * The KMS calls AWS makes for a function when the resource it uses is encrypted with a customer
 * managed key (SQS SSE-KMS, a DynamoDB table or stream with a CMK, S3 SSE-KMS, a Secrets Manager
 * secret or an event bus with a CMK): the local services do no encryption, so these are never seen
 * in the sandbox and are derived from the template instead. AWS owned and AWS managed keys
 * (SqsManagedSse, DynamoDB's default, SSE-S3, aws/secretsmanager) need nothing in the role.
 * The actions are those AWS documents for each service's data calls (and CDK's grants give).
 */
import type { RecordedCall } from '../../sandbox/bundles/aws-proxy.js';
import { referencedId, type CfnTemplate, type IntrinsicContext } from '../../sandbox/bundles/template.js';

/** How one resource the functions use is encrypted. */
export interface Encryption {
  /** The resource's ARN (in the sandbox's context) and its template resource, for messages. */
  resource: string;
  logicalId: string;
  /** `customer managed key`, `AWS managed key (aws/sqs)`, `SQS-managed (SSE-SQS)`... */
  kind: string;
  /** The key's ARN when it is a customer managed key. */
  keyArn?: string;
}

/** A KMS authorization an AWS call implies: it must be allowed to the same function. */
export interface ImpliedKmsCall {
  function: string;
  via: RecordedCall['via'];
  action: string;
  /** The key. */
  resource: string;
  /** The call that implies it (`sqs:SendMessage on ...`). */
  because: string;
}

const DYNAMODB_WRITES = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|ConditionCheckItem)$/;

/** The KMS actions a call on a resource encrypted with a customer managed key needs. */
export function kmsActionsFor(action: string): string[] {
  // A producer encrypts a new data key and SQS decrypts it to check (AWS's SQS key-management docs).
  if (action === 'sqs:SendMessage') return ['kms:GenerateDataKey', 'kms:Decrypt'];
  if (DYNAMODB_WRITES.test(action)) return ['kms:Decrypt', 'kms:GenerateDataKey'];
  if (action === 's3:PutObject' || action === 'events:PutEvents') return ['kms:GenerateDataKey'];
  return ['kms:Decrypt'];
}

/** Encryption of every table, queue, bucket, secret and bus in the template, by their ARNs in `context`. */
export function encryptionOf(template: CfnTemplate, context: IntrinsicContext): Encryption[] {
  const found: Encryption[] = [];
  const keyArn = (value: unknown): string | undefined => {
    const id = referencedId(value);
    if (id && template.Resources[id]?.Type === 'AWS::KMS::Key') return context.getAtt(id, 'Arn');
    if (typeof value === 'string' && !value.startsWith('alias/aws/')) return value; // a key ARN or alias given as text
    return undefined;
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const add = (arn: string, kind: string, key?: string) =>
      found.push({ resource: arn, logicalId: id, kind, keyArn: key });
    switch (resource.Type) {
      case 'AWS::SQS::Queue': {
        const key = keyArn(props.KmsMasterKeyId);
        const arn = context.getAtt(id, 'Arn');
        if (key) add(arn, 'customer managed key', key);
        else if (props.KmsMasterKeyId) add(arn, `AWS managed key (${String(props.KmsMasterKeyId)})`);
        else add(arn, 'SQS-managed (SSE-SQS)');
        break;
      }
      case 'AWS::DynamoDB::Table': {
        const sse = (props.SSESpecification ?? {}) as {
          SSEEnabled?: boolean;
          SSEType?: string;
          KMSMasterKeyId?: unknown;
        };
        const key = sse.SSEEnabled && sse.KMSMasterKeyId !== undefined ? keyArn(sse.KMSMasterKeyId) : undefined;
        const kind = key ? 'customer managed key' : sse.SSEEnabled ? 'AWS managed key (aws/dynamodb)' : 'AWS owned key';
        add(context.getAtt(id, 'Arn'), kind, key);
        break;
      }
      case 'AWS::S3::Bucket': {
        const rules = ((props.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] })
          ?.ServerSideEncryptionConfiguration ?? []) as Array<{
          ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown };
        }>;
        const rule = rules[0]?.ServerSideEncryptionByDefault;
        const key =
          rule?.SSEAlgorithm?.startsWith('aws:kms') && rule.KMSMasterKeyID !== undefined
            ? keyArn(rule.KMSMasterKeyID)
            : undefined;
        const kind = key
          ? 'customer managed key'
          : rule?.SSEAlgorithm?.startsWith('aws:kms')
            ? 'AWS managed key (aws/s3)'
            : 'S3-managed (SSE-S3)';
        add(context.getAtt(id, 'Arn'), kind, key);
        break;
      }
      case 'AWS::SecretsManager::Secret': {
        const key = keyArn(props.KmsKeyId);
        add(context.ref(id), key ? 'customer managed key' : 'AWS managed key (aws/secretsmanager)', key);
        break;
      }
      case 'AWS::Events::EventBus': {
        const key = keyArn(props.KmsKeyIdentifier);
        add(context.getAtt(id, 'Arn'), key ? 'customer managed key' : 'AWS owned key', key);
        break;
      }
    }
  }
  return found;
}

/** The resource a call's ARN belongs to (a table's index and stream belong to the table, an object to its bucket). */
export function encryptionForCall(encryptions: Encryption[], resourceArn: string): Encryption | undefined {
  return encryptions.find(
    (encryption) =>
      resourceArn === encryption.resource ||
      resourceArn.startsWith(`${encryption.resource}/`) ||
      // A secret named by its name resolves to `<name>-??????`: match the name part.
      (encryption.resource.includes(':secret:') &&
        resourceArn.replace(/-\?{6}$/, '') === encryption.resource.replace(/-[A-Za-z0-9]{6}$/, '')),
  );
}

/** Every KMS authorization the recorded calls imply, with the call that implies each. */
export function impliedKmsCalls(calls: RecordedCall[], encryptions: Encryption[]): ImpliedKmsCall[] {
  const implied = new Map<string, ImpliedKmsCall>();
  for (const call of calls) {
    const encryption = encryptionForCall(encryptions, call.resource);
    if (!encryption?.keyArn) continue;
    for (const action of kmsActionsFor(call.action)) {
      const key = `${call.function}\n${call.via}\n${action}\n${encryption.keyArn}`;
      if (!implied.has(key)) {
        implied.set(key, {
          function: call.function,
          via: call.via,
          action,
          resource: encryption.keyArn,
          because: `${call.action} on ${call.resource} (${encryption.logicalId}: ${encryption.kind})`,
        });
      }
    }
  }
  return [...implied.values()];
}
