import { createMediaHandler } from '../media/media-handler.js';
import { lambdaEntry } from '../platform/lambda-entry.js';
import { mediaDepsFromEnv } from '../wiring/media-deps.js';

/** The media Lambda: the table's change stream -> copies of inbound media (media/media-handler.ts). */
export const handler = lambdaEntry(() => createMediaHandler(mediaDepsFromEnv()));
