/**
 * Where the client talks to: the local sandbox (default) or a deployed stack, whose queue and API
 * URLs come from explicit settings or from the stack's CloudFormation outputs.
 */
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { DEFAULT_STACK_NAME } from '../lambdas/contract/stack.js';
import {
  readPort,
  SANDBOX_ACCOUNT,
  SANDBOX_CREDENTIALS,
  SANDBOX_DLQ_NAME,
  SANDBOX_QUEUE_NAME,
  SANDBOX_REGION,
} from '../lambdas/contract/sandbox.js';
import { quietDefaultProvider, quietly } from './sdk-warning.js';

export { DEFAULT_STACK_NAME };

export interface Target {
  kind: 'sandbox' | 'aws';
  /** For messages: "the sandbox at ..." or "stack SendblueGroups". */
  label: string;
  region: string;
  commandQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Base URL of the HTTP API (read routes). */
  apiUrl: string;
  /** Sandbox only: the SQS endpoint and its dummy credentials. */
  sqsEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** AWS: reads are IAM-authorized, so requests are SigV4-signed. */
  signReads: boolean;
  /** AWS: the backfill function (`cli backfill --aws` invokes it); absent on stacks deployed before it existed. */
  backfillFunctionName?: string;
}

function port(env: NodeJS.ProcessEnv, key: 'port' | 'sqsPort'): number {
  const { value, problem } = readPort(env, key);
  if (problem) throw new TargetError(problem, false);
  return value;
}

/** The sandbox on this machine; ports from the same env vars `npm start` reads. */
export function sandboxTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const sqsPort = port(env, 'sqsPort');
  const apiPort = port(env, 'port');
  const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
  return {
    kind: 'sandbox',
    label: `the sandbox (API http://127.0.0.1:${apiPort}, SQS ${sqsEndpoint})`,
    region: SANDBOX_REGION,
    commandQueueUrl: `${sqsEndpoint}/${SANDBOX_ACCOUNT}/${SANDBOX_QUEUE_NAME}`,
    deadLetterQueueUrl: `${sqsEndpoint}/${SANDBOX_ACCOUNT}/${SANDBOX_DLQ_NAME}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    sqsEndpoint,
    credentials: SANDBOX_CREDENTIALS,
    signReads: false,
  };
}

export class TargetError extends Error {
  constructor(
    message: string,
    readonly remote = true,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** The outputs the client needs, from DescribeStacks' Outputs (pure; tested without AWS). */
export function targetFromOutputs(stackName: string, region: string, outputs: Output[]): Target {
  const value = (key: string) => outputValue(stackName, outputs, key);
  return {
    kind: 'aws',
    label: `stack ${stackName} (${region})`,
    region,
    commandQueueUrl: value('CommandQueueUrl'),
    deadLetterQueueUrl: value('DeadLetterQueueUrl'),
    apiUrl: value('ApiUrl').replace(/\/+$/, ''),
    signReads: true,
    backfillFunctionName: outputs.find((output) => output.OutputKey === 'BackfillFunctionName')?.OutputValue,
  };
}

export interface AwsTargetOptions {
  stackName?: string;
  region?: string;
  env?: NodeJS.ProcessEnv;
  /** For tests of the request only. */
  cloudFormation?: CloudFormationClient;
}

/** Which stack and region: `--stack`/`--region`, else SENDBLUE_GROUPS_STACK and AWS_REGION (or AWS_DEFAULT_REGION). */
export function stackLocation(options: Pick<AwsTargetOptions, 'stackName' | 'region' | 'env'> = {}): {
  stackName: string;
  region: string;
} {
  const env = options.env ?? process.env;
  const stackName = options.stackName ?? env.SENDBLUE_GROUPS_STACK ?? DEFAULT_STACK_NAME;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new TargetError('no AWS region: set AWS_REGION or pass --region', false);
  return { stackName, region };
}

/** The stack's outputs, read with CloudFormation DescribeStacks. */
export async function readStackOutputs(
  stackName: string,
  region: string,
  client?: CloudFormationClient,
): Promise<Output[]> {
  const cloudFormation =
    client ?? quietly(() => new CloudFormationClient({ region, credentialDefaultProvider: quietDefaultProvider }));
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return out.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw new TargetError(
      `could not read the outputs of stack ${stackName} in ${region}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    if (!client) cloudFormation.destroy();
  }
}

/** One output's value; a missing one is a clear error (not this kind of stack, or not fully deployed). */
export function outputValue(stackName: string, outputs: Output[], key: string): string {
  const found = outputs.find((output) => output.OutputKey === key)?.OutputValue;
  if (!found)
    throw new TargetError(
      `stack ${stackName} has no output ${key}: is it a sendblue-groups stack, fully deployed?`,
      false,
    );
  return found;
}

/**
 * A deployed stack. `SENDBLUE_GROUPS_QUEUE_URL`, `SENDBLUE_GROUPS_DLQ_URL` and
 * `SENDBLUE_GROUPS_API_URL`, when all set, are used as they are (no CloudFormation call);
 * otherwise the stack's outputs are read with DescribeStacks.
 */
export async function awsTarget(options: AwsTargetOptions = {}): Promise<Target> {
  const env = options.env ?? process.env;
  const { stackName, region } = stackLocation(options);
  const { SENDBLUE_GROUPS_QUEUE_URL: queue, SENDBLUE_GROUPS_DLQ_URL: dlq, SENDBLUE_GROUPS_API_URL: api } = env;
  if (queue && dlq && api) {
    return {
      kind: 'aws',
      label: `the queue ${queue}`,
      region,
      commandQueueUrl: queue,
      deadLetterQueueUrl: dlq,
      apiUrl: api.replace(/\/+$/, ''),
      signReads: true,
      backfillFunctionName: env.SENDBLUE_GROUPS_BACKFILL_FUNCTION || undefined,
    };
  }
  return targetFromOutputs(stackName, region, await readStackOutputs(stackName, region, options.cloudFormation));
}
