/**
 * SANDBOX ONLY: `SANDBOX_CODE=bundles`. Each Lambda runs from the bundle `cdk synth` wrote to
 * cdk.out (the asset its `Code` points at), in execution environments of its own (lambda-pool.ts),
 * with the environment variables the template gives it, resolved to the sandbox's resources
 * (resources.ts), plus what Lambda's runtime sets (region, its own credentials). Their AWS SDK
 * clients reach the sandbox's services through one recording endpoint (aws-proxy.ts, AWS_ENDPOINT_URL),
 * which also serves Secrets Manager and EventBridge (local-aws.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ENV } from '../../lambdas/contract/env.js';
import { BACKFILL_ENV } from '../../lambdas/contract/backfill-settings.js';
import { SANDBOX_REGION } from '../../lambdas/contract/sandbox.js';
import type { DomainEvent } from '../../lambdas/events/domain-events.js';
import type { Logger } from '../../lambdas/platform/logger.js';
import type { SandboxConfig } from '../config.js';
import { NODE_SUPPORT_WARNING_OFF } from '../node-support.js';
import { statusCallbackToken } from '../static-secrets.js';
import { startAwsProxy, type AwsProxy, type Caller, type RecordedCall, type UnclassifiedCall } from './aws-proxy.js';
import { ensureSynthesized, type SynthesizedStack } from './cdk-out.js';
import { createLambdaPool, type LambdaPool } from './lambda-pool.js';
import { eventBridgeStandIn, secretsManagerStandIn } from './local-aws.js';
import { resourceRoles, sandboxContext, type SandboxResources, type SandboxRole } from './resources.js';
import { resolveString, type TemplateFunction, templateFunctions, UnresolvableError } from './template.js';

/** The functions the sandbox runs (HANDLER_TAG values). */
export type FunctionName = 'ingest' | 'read' | 'sender' | 'events' | 'media' | 'backfill' | 'contacts';
const FUNCTION_NAMES: readonly FunctionName[] = ['ingest', 'read', 'sender', 'events', 'media', 'backfill', 'contacts'];

/** The sandbox's event bus (the stand-in's name; events land in the event log). */
export const SANDBOX_EVENT_BUS = 'sendblue-groups-events';
/** Secret values in the stand-in are dummies for the secret key too: local services check no signature. */
const SECRET_ACCESS_KEY = 'sandbox-secret-access-key';

/** Parts of the sandbox the bundles reach, provided as each part starts. */
export interface BundleResources extends Omit<SandboxResources, 'queueBaseUrl'> {
  dynamoDbEndpoint: string;
  /** The SQS emulator (also the S3 stand-in). */
  sqsEndpoint: string;
  /** The Sendblue API the sender and the backfill call (the simulator, or SENDBLUE_BASE_URL). */
  sendblueUrl: string;
  /** Where the EventBridge stand-in puts events (the event log). */
  publishEvents: (events: DomainEvent[]) => void;
}

export interface StartBundlesInput {
  config: SandboxConfig;
  /** The repository (where `cdk synth` runs). */
  root: string;
  /** The cloud assembly folder. */
  cdkOut: string;
  loggerFor: (component: string) => Logger;
  onProgress: (line: string) => void;
}

export interface SandboxBundles {
  stack: SynthesizedStack;
  functions: TemplateFunction[];
  /** The recording endpoint the bundles' SDK clients use. */
  awsEndpoint: string;
  /** The handler of a function, called as Lambda would call it. */
  handler<E, R>(name: FunctionName): (event: E) => Promise<R>;
  /** The credentials of the role Lambda's event source mapping of `name` polls with (the sandbox's pollers use them). */
  eventSourceCredentials(name: FunctionName): { accessKeyId: string; secretAccessKey: string };
  /** Fills in the sandbox's resources as its parts start. */
  provide(part: Partial<BundleResources>): void;
  /** The environment `name` gets (resolved now). */
  environmentOf(name: FunctionName): Record<string, string>;
  /** The sandbox's resources the template was resolved to (what the IAM check resolves the roles' policies to). */
  resources(): SandboxResources;
  /** Every AWS call recorded so far (who, IAM action, resource). */
  calls(): RecordedCall[];
  unclassified(): UnclassifiedCall[];
  stop(): Promise<void>;
}

const codeKey = (name: string) => `SANDBOXCODE${name.toUpperCase()}`;
const mappingKey = (name: string) => `SANDBOXESM${name.toUpperCase()}`;

export async function startBundles(input: StartBundlesInput): Promise<SandboxBundles> {
  const { config, loggerFor } = input;
  const stack = await ensureSynthesized({ root: input.root, dir: input.cdkOut, onProgress: input.onProgress });
  const functions = templateFunctions(stack.template);
  for (const name of FUNCTION_NAMES) {
    const fn = functions.find((candidate) => candidate.name === name);
    if (!fn && (name !== 'events' || config.events) && (name !== 'media' || config.media)) {
      throw new Error(`${stack.templateFile} has no function tagged ${name}: synthesize again (npx cdk synth)`);
    }
    if (fn && !fn.assetPath)
      throw new Error(`the ${name} function in ${stack.templateFile} names no bundle (aws:asset:path)`);
  }
  const roles = resourceRoles(stack.template, functions);
  const provided: Partial<BundleResources> = {};
  const need = <K extends keyof BundleResources>(key: K): NonNullable<BundleResources[K]> => {
    const value = provided[key];
    if (value === undefined || value === null) throw new UnresolvableError(`the sandbox's ${key} is not started yet`);
    return value as NonNullable<BundleResources[K]>;
  };

  const callers = new Map<string, Caller>();
  for (const fn of functions) {
    callers.set(codeKey(fn.name), { function: fn.name, via: 'code' });
    callers.set(mappingKey(fn.name), { function: fn.name, via: 'event source mapping' });
  }

  let proxy: AwsProxy | undefined;
  const resources = (): SandboxResources => ({
    tableName: need('tableName'),
    streamArn: provided.streamArn,
    queueBaseUrl: proxy!.url,
    commandQueueName: need('commandQueueName'),
    deadLetterQueueName: need('deadLetterQueueName'),
    eventBusName: SANDBOX_EVENT_BUS,
    mediaBucketName: need('mediaBucketName'),
    apiUrl: need('apiUrl'),
  });
  const context = () => sandboxContext(stack.template, roles, resources());
  // Lazily: a value the sandbox has not started yet is only needed by whoever refers to it.
  const lazyContext = {
    pseudo: { 'AWS::Region': SANDBOX_REGION },
    ref: (id: string) => context().ref(id),
    getAtt: (id: string, attribute: string) => context().getAtt(id, attribute),
  };
  const idOf = (role: SandboxRole) => [...roles].find(([, given]) => given === role)?.[0];
  const secretValues = () => {
    const values = new Map<string, string>();
    const put = (role: SandboxRole, value: string) => {
      const id = idOf(role);
      if (id) values.set(lazyContext.ref(id), value);
    };
    put('webhookSecret', config.webhookSecret);
    put('callbackToken', statusCallbackToken(config.webhookSecret));
    put('apiCredentials', JSON.stringify({ apiKeyId: config.apiKeyId, apiSecretKey: config.apiSecretKey }));
    return values;
  };
  const busArn = `arn:aws:events:${SANDBOX_REGION}:000000000000:event-bus/${SANDBOX_EVENT_BUS}`;
  const secrets = secretsManagerStandIn(secretValues);
  const events = eventBridgeStandIn({ name: SANDBOX_EVENT_BUS, arn: busArn }, (published) =>
    need('publishEvents')(published),
  );
  proxy = await startAwsProxy({
    callerOf: (key) => callers.get(key),
    targets: () => ({
      dynamodb: provided.dynamoDbEndpoint,
      sqs: provided.sqsEndpoint,
      s3: provided.sqsEndpoint,
      secretsmanager: secrets,
      events,
    }),
  });

  /** The sandbox's values for settings the template gives as plain text (from cdk.json), when it gives them. */
  const sandboxSettings = (): Record<string, string> => ({
    [ENV.sendblueBaseUrl]: need('sendblueUrl'),
    [ENV.fromNumber]: config.fromNumber,
    [BACKFILL_ENV.lines]: config.fromNumber,
    [ENV.ourLines]: config.fromNumber,
    [ENV.lineRatePerSecond]: String(config.lineRatePerSecond),
    [ENV.lineBurst]: String(config.lineBurst),
    // The sandbox sweeps unknown commands after a minute (sandbox/backfill.ts), not an hour.
    [BACKFILL_ENV.unsettledMinAgeMinutes]: '1',
  });

  const environmentOf = (name: FunctionName): Record<string, string> => {
    const fn = functions.find((candidate) => candidate.name === name);
    if (!fn) throw new Error(`no ${name} function in ${stack.templateFile}`);
    const settings = sandboxSettings();
    const variables: Record<string, string> = {};
    for (const [key, value] of Object.entries(fn.environment)) {
      variables[key] = key in settings ? settings[key]! : resolveString(value, lazyContext);
    }
    return {
      ...variables,
      // What Lambda's runtime sets, with the function's own (fake) credentials.
      AWS_REGION: SANDBOX_REGION,
      AWS_DEFAULT_REGION: SANDBOX_REGION,
      AWS_ACCESS_KEY_ID: codeKey(name),
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: `SANDBOXSESSION${name.toUpperCase()}`,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      TZ: 'UTC',
      // The sandbox's part: every SDK client to the recording endpoint, no Node 20 notice.
      AWS_ENDPOINT_URL: proxy!.url,
      ...NODE_SUPPORT_WARNING_OFF,
      ...(process.env[ENV.logLevel] ? { [ENV.logLevel]: process.env[ENV.logLevel]! } : {}),
      // The simulator serves media on http://127.0.0.1 (lambdas/wiring/media-deps.ts).
      ...(name === 'media' ? { [ENV.sandboxLoopbackMedia]: 'allow' } : {}),
    };
  };

  const pools = new Map<FunctionName, LambdaPool>();
  const poolOf = (name: FunctionName): LambdaPool => {
    let pool = pools.get(name);
    if (!pool) {
      const fn = functions.find((candidate) => candidate.name === name);
      if (!fn) throw new Error(`no ${name} function in ${stack.templateFile}`);
      const [module, exportName] = splitHandler(fn.handler);
      pool = createLambdaPool({
        name,
        bundleFile: bundleFileOf(path.join(stack.dir, fn.assetPath!), module),
        exportName,
        memorySize: fn.memorySize,
        timeoutSeconds: fn.timeoutSeconds,
        environment: () => environmentOf(name),
        logger: loggerFor(name),
      });
      pools.set(name, pool);
    }
    return pool;
  };

  input.onProgress(
    `Lambda code: the bundles in ${path.relative(input.root, stack.dir) || stack.dir} (template ${path.relative(input.root, stack.templateFile)}; ${functions.length} functions)`,
  );
  return {
    stack,
    functions,
    awsEndpoint: proxy.url,
    handler:
      <E, R>(name: FunctionName) =>
      async (event: E) =>
        (await poolOf(name).invoke(event)) as R,
    eventSourceCredentials: (name) => ({ accessKeyId: mappingKey(name), secretAccessKey: SECRET_ACCESS_KEY }),
    provide: (part) => Object.assign(provided, part),
    environmentOf,
    resources,
    calls: () => proxy!.calls(),
    unclassified: () => proxy!.unclassified(),
    async stop() {
      await Promise.all([...pools.values()].map((pool) => pool.stop()));
      await proxy!.stop();
    },
  };
}

/** `index.handler` -> ['index', 'handler'] (the module may sit in a folder: `dist/index.handler`). */
export function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`the template's Handler "${handler}" is not <module>.<export>`);
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

/** The module file Lambda's Node runtime would load for `module`: .mjs, .js or .cjs, in that order. */
function bundleFileOf(assetDir: string, module: string): string {
  for (const extension of ['.mjs', '.js', '.cjs']) {
    const file = path.join(assetDir, `${module}${extension}`);
    if (existsSync(file)) return file;
  }
  throw new Error(`no ${module}.mjs, .js or .cjs in ${assetDir} (the bundle the template points at)`);
}
