import { createEventsHandler } from '../events/events-handler.js';
import { lambdaEntry } from '../platform/lambda-entry.js';
import { eventsDepsFromEnv } from '../wiring/events-deps.js';

/** The events Lambda: the table's change stream -> domain events (events/events-handler.ts). */
export const handler = lambdaEntry(() => createEventsHandler(eventsDepsFromEnv()));
