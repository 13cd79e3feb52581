#!/usr/bin/env node
/**
 * The `sendblue-groups` command: see cli/main.ts (commands live in cli/). Installed, it runs as
 * compiled JavaScript (dist/bin/cli.js, `npm run build`); in this repository `npm run cli --`
 * runs this file through tsx.
 */
import { runCli } from '../cli/main.js';
import { createSecretPrompt } from '../cli/setup/prompt.js';
import { quietNodeSupportWarning } from '../sandbox/node-support.js';

quietNodeSupportWarning();

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  // On a terminal `--wait` shows progress; piped, the output stays what scripts read.
  isTTY: process.stdout.isTTY === true,
  // Prompts go to stderr, so stdout stays clean for --json.
  readSecret: createSecretPrompt(process.stdin, process.stderr),
  // `send --content-file -`: the message from a pipe (or typed, ended with Ctrl-D).
  stdin: process.stdin,
});
