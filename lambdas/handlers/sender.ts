import { lambdaEntry } from '../platform/lambda-entry.js';
import { createSenderHandler } from '../sending/sender-handler.js';
import { senderDepsFromEnv } from '../wiring/sender-deps.js';

/** The sender Lambda: the command queue's consumer (sending/sender-handler.ts). */
export const handler = lambdaEntry(() => createSenderHandler(senderDepsFromEnv()));
