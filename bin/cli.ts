#!/usr/bin/env -S node --import tsx
/** `npm run cli -- <command>`: see cli/main.ts (commands live in cli/). */
import { runCli } from '../cli/main';
import { createSecretPrompt } from '../cli/setup/prompt';

// The SDK warns on every run that Node 20 will lose support in 2027 (README: Node 20+ works today);
// a CLI whose output is read by people and scripts does not repeat it each time.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  // Prompts go to stderr, so stdout stays clean for --json.
  readSecret: createSecretPrompt(process.stdin, process.stderr),
});
