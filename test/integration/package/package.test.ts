/**
 * The package as a user of it gets it (issue 17, parts 1 and 2): `npm pack` (its prepack runs
 * `npm run build`), the tarball installed into a throwaway app, then
 *
 * - the tarball holds the compiled JavaScript, the types, the six prebuilt bundles and the schemas,
 *   and no test, no TypeScript source;
 * - a producer that installs only the package gets the AWS SDK clients the client uses and nothing
 *   of CDK, no esbuild, no tsx, no Sendblue SDK;
 * - plain Node imports the client and uses it without printing the SDK's Node version warning, while
 *   the app's own SDK client still gets it (once), as it would without the package;
 * - `npx sendblue-groups --version` runs (compiled, plain node), `setup` says what to install;
 * - a TypeScript producer and a CDK app type-check under NodeNext (the package's .d.ts included)
 *   and Bundler;
 * - the CDK app (aws-cdk-lib, constructs, cdk-nag, the aws-cdk CLI as its own dependencies) runs
 *   `cdk synth` with cdk-nag's AwsSolutions pack: seven functions whose code assets are the prebuilt
 *   bundles byte for byte, and a template equal, code aside, to the same stack built from this
 *   repository's sources.
 *
 * About three minutes here (two cores): packing builds (~1 min), two installs, two type-checks, a synth.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childEnv,
  createApp,
  footprintOf,
  installInto,
  type PackedPackage,
  packPackage,
  REPO_ROOT,
} from '../../../bench/package-install.js';
import { HANDLER_NAMES } from '../../../lib/paths.js';
import { SendblueGroups } from '../../../lib/sendblue-groups.js';
import { NO_BUNDLING } from '../../support/cdk.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const versionOf = (name: string): string => pkg.devDependencies[name] ?? pkg.dependencies[name];

const work = mkdtempSync(path.join(tmpdir(), 'sendblue-groups-package-'));
const app = path.join(work, 'app');
let packed: PackedPackage;
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A child's environment as a user's shell has it: the SDK warning not switched off by us. */
const userEnv = (extra: Record<string, string> = {}) => {
  const env = childEnv(extra);
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  return env;
};
const WARNING = /NodeVersionSupportWarning/g;
/** On Node 22 and later the SDK has nothing to warn about; the "still warns" checks need Node < 22. */
const NODE_WARNS = Number(process.versions.node.split('.')[0]) < 22;

async function node(script: string, env: NodeJS.ProcessEnv = userEnv()) {
  return run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env, timeout: 60_000 });
}

beforeAll(async () => {
  packed = await packPackage(work);
  await createApp(app, [packed.tarball]);
}, 600_000);

describe('the tarball', () => {
  it('holds the compiled client, construct and CLI with their types, the six bundles and the schemas', () => {
    for (const file of [
      'package.json',
      'dist/client/index.js',
      'dist/client/index.d.ts',
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/bin/cli.js',
      'schemas/command.json',
      ...HANDLER_NAMES.map((name) => `dist/assets/${name}/index.mjs`),
    ]) {
      expect(packed.files, file).toContain(file);
    }
  });

  it('holds no test, no TypeScript source, nothing of the sandbox beyond what the CLI reads', () => {
    expect(packed.files.filter((file) => /(^|\/)test\//.test(file) || /\.test\./.test(file))).toEqual([]);
    expect(packed.files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(packed.files.filter((file) => file.startsWith('dist/sandbox/') && file.endsWith('.js')).sort()).toEqual([
      'dist/sandbox/cli-prefix.js',
      'dist/sandbox/config.js',
      'dist/sandbox/node-support.js',
    ]);
  });
});

describe('a producer installing only the package', () => {
  it('gets the SDK clients the client uses, nothing of CDK, no esbuild, tsx or Sendblue SDK', () => {
    const { packages } = footprintOf(app);
    for (const name of Object.keys(pkg.dependencies)) expect(packages, name).toContain(name);
    for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag', 'aws-cdk', 'esbuild', 'tsx', 'sendblue', 'fauxqs'])
      expect(packages, name).not.toContain(name);
    expect(packages).not.toContain('@aws-sdk/client-dynamodb');
  });

  it('imports the client (and a schema) in plain Node and uses it: no SDK warning from the package', async () => {
    const { stdout, stderr } = await node(`
      const client = await import('sendblue-groups');
      const target = client.sandboxTarget({});
      const producer = client.createGroupsProducer(target);
      client.createReader({ ...target, signReads: true });
      const valid = client.validateCommand({ type: 'send_group_message', numbers: ['+15551230001', '+15551230002'], content: 'x' });
      const invalid = client.validateCommand({ type: 'send_group_message' });
      producer.close();
      const { default: schema } = await import('sendblue-groups/schemas/command.json', { with: { type: 'json' } });
      // The DLQ's API (issue 20): exported, and what a redrive can help is told apart.
      const dlq = ['countDeadLetters', 'listDeadLetters', 'moveDeadLetters', 'redriveDeadLetters', 'deleteDeadLetters']
        .filter((name) => typeof client[name] === 'function');
      const helps = ['invalid command: x', 'gave up after 5 attempts: HTTP 409'].map(
        (reason) => client.classifyDeadLetter({ reason }).redriveHelps,
      );
      console.log(JSON.stringify({ target: target.kind, valid: valid.ok, invalid: invalid.ok, schema: schema.$schema, dlq, helps }));
    `);
    expect(JSON.parse(stdout)).toEqual({
      target: 'sandbox',
      valid: true,
      invalid: false,
      schema: 'https://json-schema.org/draft/2020-12/schema',
      dlq: ['countDeadLetters', 'listDeadLetters', 'moveDeadLetters', 'redriveDeadLetters', 'deleteDeadLetters'],
      helps: [false, true],
    });
    expect(stderr).not.toMatch(WARNING);
  });

  it.runIf(NODE_WARNS)("the app's own SDK client still warns, once, as without the package", async () => {
    const { stderr } = await node(`
      const client = await import('sendblue-groups');
      client.createGroupsProducer(client.sandboxTarget({})).close();
      const { SQSClient } = await import('@aws-sdk/client-sqs');
      new SQSClient({ region: 'us-east-1' }).destroy();
      new SQSClient({ region: 'us-east-1' }).destroy();
    `);
    expect(stderr.match(WARNING)).toHaveLength(1);
  });

  it('resolving credentials through a role profile (STS inside the SDK) prints no warning either', async () => {
    const aws = path.join(work, 'aws');
    writeFileSync(
      `${aws}-config`,
      '[profile base]\nregion = us-east-1\n[profile assume]\nrole_arn = arn:aws:iam::123456789012:role/Probe\nsource_profile = base\nregion = us-east-1\n',
    );
    writeFileSync(
      `${aws}-credentials`,
      '[base]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\naws_secret_access_key = probeprobeprobeprobeprobeprobeprobe00000\n',
    );
    const env = userEnv({
      AWS_CONFIG_FILE: `${aws}-config`,
      AWS_SHARED_CREDENTIALS_FILE: `${aws}-credentials`,
      AWS_PROFILE: 'assume',
      // Nothing listens there: the calls fail at once, after the SDK created its STS client.
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:9',
    });
    const probe = `
      const client = await import('sendblue-groups');
      const outcome = await client.awsTarget({ stackName: 'Probe', region: 'us-east-1' }).catch((e) => e.name);
      const target = { ...client.sandboxTarget({}), kind: 'aws', signReads: true, apiUrl: 'http://127.0.0.1:9' };
      const read = await client.createReader(target).get('/health').catch((e) => e.name);
      console.log(JSON.stringify({ outcome, read }));
      if (process.argv.includes('own')) await import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider()()).catch(() => {});
    `;
    const quiet = await node(probe, env);
    expect(JSON.parse(quiet.stdout)).toEqual({ outcome: 'TargetError', read: 'RemoteError' });
    expect(quiet.stderr).not.toMatch(WARNING);
    if (NODE_WARNS) {
      // The same chain resolved by the app's own code afterwards creates its STS client and warns.
      const own = await run(process.execPath, ['--input-type=module', '-e', probe, '--', 'own'], { cwd: app, env });
      expect(own.stderr.match(WARNING)).toHaveLength(1);
    }
  });
});

describe('the CLI, installed', () => {
  it('`npx sendblue-groups --version` runs the compiled CLI with plain node', async () => {
    const { stdout } = await run('npx', ['--no-install', 'sendblue-groups', '--version'], {
      cwd: app,
      env: userEnv(),
    });
    expect(stdout.trim()).toBe(pkg.version);
    expect(readFileSync(path.join(app, 'node_modules/sendblue-groups/dist/bin/cli.js'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  it('`setup` without its two optional packages says how to install them (exit 1, nothing done)', async () => {
    const failure = await run('npx', ['--no-install', 'sendblue-groups', 'setup', '--aws', '--region', 'us-east-1'], {
      cwd: app,
      env: userEnv(),
    }).catch((error) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain(
      `npm install 'sendblue@${pkg.peerDependencies.sendblue}' '@aws-sdk/client-secrets-manager@${pkg.peerDependencies['@aws-sdk/client-secrets-manager']}'`,
    );
  });
});

describe('a TypeScript producer and a CDK app of the consumer', () => {
  const cdkOut = () => path.join(app, 'cdk.out');

  beforeAll(async () => {
    cpSync(path.join(REPO_ROOT, 'test/fixtures/consumer-app'), app, { recursive: true });
    await installInto(
      app,
      ['typescript', '@types/node', 'aws-cdk-lib', 'constructs', 'cdk-nag', 'aws-cdk'].map(
        (name) => `${name}@${versionOf(name)}`,
      ),
    );
  }, 600_000);

  it('type-check under NodeNext (the package types checked too) and under Bundler', async () => {
    const tsc = path.join(app, 'node_modules/typescript/bin/tsc');
    const check = (project: string) =>
      run(process.execPath, [tsc, '-p', project], { cwd: app, env: userEnv(), timeout: 300_000 }).catch(
        (error: { stdout: string }) => {
          throw new Error(`tsc -p ${project}:\n${error.stdout}`);
        },
      );
    await Promise.all([check('tsconfig.nodenext.json'), check('tsconfig.bundler.json')]);
    expect(existsSync(path.join(app, 'out/app.js'))).toBe(true);
  }, 300_000);

  it('cdk synth (cdk-nag on) deploys the prebuilt bundles, byte for byte, with no esbuild in the app', async () => {
    expect(existsSync(path.join(app, 'node_modules/esbuild'))).toBe(false);
    await run('npx', ['--no-install', 'cdk', 'synth', '--no-notices', '-q', '-o', cdkOut()], {
      cwd: app,
      env: userEnv({ CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' }),
      timeout: 300_000,
    });
    const template = JSON.parse(readFileSync(path.join(cdkOut(), 'Consumer.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, any>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(7);
    const bundle = (file: string) => readFileSync(file, 'utf8');
    const packagedBundles = new Set(
      HANDLER_NAMES.map((name) => bundle(path.join(app, `node_modules/sendblue-groups/dist/assets/${name}/index.mjs`))),
    );
    const assetDirs = readdirSync(cdkOut()).filter((name) => name.startsWith('asset.'));
    const deployed = functions.map((fn) => {
      const dir = assetDirs.find((name) => fn.Properties.Code.S3Key.startsWith(name.slice('asset.'.length)));
      expect(dir, fn.Properties.Description).toBeDefined();
      expect(readdirSync(path.join(cdkOut(), dir!))).toEqual(['index.mjs']);
      return bundle(path.join(cdkOut(), dir!, 'index.mjs'));
    });
    expect(new Set(deployed)).toEqual(packagedBundles);
  }, 300_000);

  it("the synthesized template equals, code aside, the same stack built from this repository's sources", () => {
    // The same stack as test/fixtures/consumer-app/src/app.ts, built here from lib/ (bundling skipped).
    const source = new App({ builtinCloudFormationValidation: false, context: { ...NO_BUNDLING } });
    const stack = new Stack(source, 'Consumer');
    const messaging = new SendblueGroups(stack, 'Messaging', { fromNumber: '+14155550123' });
    const producer = new Role(stack, 'Producer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    messaging.grantSend(producer);
    messaging.grantRead(producer);
    new CfnOutput(stack, 'QueueUrl', { value: messaging.commandQueue.queueUrl });
    const withoutCode = (template: any) => {
      const copy = structuredClone(template);
      for (const resource of Object.values(copy.Resources) as any[]) {
        delete resource.Metadata;
        if (resource.Type === 'AWS::Lambda::Function') delete resource.Properties.Code;
      }
      return copy;
    };
    const packaged = JSON.parse(readFileSync(path.join(cdkOut(), 'Consumer.template.json'), 'utf8'));
    // The CLI adds its version report (CDKMetadata and its condition) to every app; not ours to compare.
    delete packaged.Resources.CDKMetadata;
    delete packaged.Conditions?.CDKMetadataAvailable;
    if (packaged.Conditions && Object.keys(packaged.Conditions).length === 0) delete packaged.Conditions;
    expect(withoutCode(packaged)).toEqual(withoutCode(Template.fromStack(stack).toJSON()));
  });
});
