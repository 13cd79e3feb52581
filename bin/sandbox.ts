/**
 * `npm start`: runs the sandbox until Ctrl-C/SIGTERM (exit 0) or a crash (exit 1).
 * Child processes are killed in every case (see sandbox/processes.ts for the last-resort hooks).
 */
import { sandboxBanner } from '../sandbox/banner.js';
import { loadSandboxConfig, SandboxConfigError, type SandboxConfig } from '../sandbox/config.js';
import { readableLoggerFor } from '../sandbox/event-log.js';
import { killTrackedChildren } from '../sandbox/processes.js';
import { startSandbox, type RunningSandbox } from '../sandbox/start.js';
import { quietNodeSupportWarning } from '../sandbox/node-support.js';

quietNodeSupportWarning();

const STOP_TIMEOUT_MS = 10_000;

let config: SandboxConfig;
try {
  config = loadSandboxConfig();
} catch (error) {
  console.error(error instanceof SandboxConfigError ? error.message : error);
  process.exit(1);
}

let sandbox: RunningSandbox | undefined;
let exiting = false;

/** Stops what runs, then exits. A second signal, or a stop that hangs, exits at once (children killed). */
async function shutdown(code: number, reason: string): Promise<void> {
  if (exiting) {
    killTrackedChildren();
    process.exit(code || 1);
  }
  exiting = true;
  (code === 0 ? console.log : console.error)(`\n${reason}: stopping the sandbox...`);
  setTimeout(() => {
    console.error(`The sandbox did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing its child processes.`);
    killTrackedChildren();
    process.exit(1);
  }, STOP_TIMEOUT_MS).unref();
  try {
    await sandbox?.stop();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    code = code || 1;
  }
  if (code === 0) console.log('Sandbox stopped.');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0, `Received ${signal}`));
}
// `npm start` runs us under `sh -c`: npm passes SIGTERM to the shell, which dies without passing it
// on. We then become an orphan (our parent changes), which is our cue to stop as if signalled.
const launchedBy = process.ppid;
setInterval(() => {
  if (process.ppid !== launchedBy) void shutdown(0, 'The launching process exited');
}, 500).unref();
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    console.error(`The sandbox crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void shutdown(1, 'Crash');
  });
}

try {
  // One readable line per event (numbers masked); SANDBOX_LOG=json for the Lambdas' JSON lines.
  const loggerFor =
    process.env.SANDBOX_LOG === 'json' ? undefined : (component: string) => readableLoggerFor(component);
  sandbox = await startSandbox(config, {
    onProgress: (line) => console.log(line),
    loggerFor,
    // e.g. "DynamoDB Local stopped unexpectedly (exit code 137): stopping the sandbox..." and exit 1:
    // restarting it would silently start over with an empty in-memory database.
    onFatal: (message) => void shutdown(1, message),
    // SANDBOX_CODE=bundles: another cloud assembly than ./cdk.out (npm run verify:deploy -- --cdk-out DIR).
    cdkOut: process.env.SANDBOX_CDK_OUT?.trim() || undefined,
  });
} catch (error) {
  // startSandbox has already stopped whatever it had started.
  console.error(`The sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
// (A signal during startup exits at once; the process registry's exit hook kills Java then.)
console.log(sandboxBanner(sandbox, config));
