import { spawn } from 'node:child_process';
import { runWalkthrough } from './scripts/verify-deploy/walkthrough.js';
const mode = process.argv[2] ?? 'bundles';
const ports = { api: 3401, sqs: 3402, dynamo: 3403, sim: 3404 };
const child = spawn(process.execPath, ['--import', 'tsx', 'bin/sandbox.ts'], {
  env: { ...process.env, SANDBOX_CODE: mode, SANDBOX_PORT: String(ports.api), SANDBOX_SQS_PORT: String(ports.sqs), SANDBOX_DYNAMODB_PORT: String(ports.dynamo), SANDBOX_SIMULATOR_PORT: String(ports.sim) },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
child.stdout.on('data', (c) => (out += c));
child.stderr.on('data', (c) => (out += c));
const t0 = Date.now();
while (!out.includes('Press Ctrl-C') && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
console.log('ready in', Date.now() - t0);
try {
  const report = await runWalkthrough({ api: `http://127.0.0.1:${ports.api}`, simulator: `http://127.0.0.1:${ports.sim}`, cliEnv: { SANDBOX_PORT: String(ports.api), SANDBOX_SQS_PORT: String(ports.sqs) } }, console.log);
  console.log(JSON.stringify(report));
  if (mode === 'bundles') console.log(JSON.stringify(await (await fetch(`http://127.0.0.1:${ports.api}/__sandbox/aws-calls`)).json(), null, 1));
} catch (e) { console.log('FAILED', e); }
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
console.log('--- sandbox output (tail) ---');
console.log(out.split('\n').filter((l) => /ERROR|WARN|threw|fail/i.test(l)).slice(0, 40).join('\n'));
