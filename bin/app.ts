#!/usr/bin/env node
/**
 * The CDK app (cdk.json runs it with tsx): reads the context, builds the `SendblueGroups` stack and
 * registers cdk-nag's AwsSolutions pack, so every synth fails on an unacknowledged finding.
 * The wiring lives in lib/app.ts so the tests build exactly the same app.
 */
import { buildApp } from '../lib/app.js';
import { ConfigError } from '../lib/config.js';

try {
  buildApp();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
