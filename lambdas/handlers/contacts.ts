import { createContactsHandler } from '../contacts/contacts-handler.js';
import { lambdaEntry } from '../platform/lambda-entry.js';
import { contactsDepsFromEnv } from '../wiring/contacts-deps.js';

/** The contacts Lambda: the table's change stream -> the contacts ledger (contacts/contacts-handler.ts). */
export const handler = lambdaEntry(() => createContactsHandler(contactsDepsFromEnv()));
