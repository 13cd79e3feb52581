import { lambdaEntry } from '../platform/lambda-entry.js';
import { createReadHandler } from '../reads/read-handler.js';
import { readDepsFromEnv } from '../wiring/read-deps.js';

/** The read Lambda: the IAM-authorized read routes and /health (reads/read-handler.ts). */
export const handler = lambdaEntry(() => createReadHandler(readDepsFromEnv()));
