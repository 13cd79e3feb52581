import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json and package-lock.json live). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The lock file NodejsFunction hashes and bundles against. */
export const LOCK_FILE = path.join(PROJECT_ROOT, 'package-lock.json');

/** The seven Lambdas: entry points in lambdas/handlers/, each exporting `handler`. */
export const HANDLER_NAMES = ['ingest', 'read', 'sender', 'events', 'media', 'backfill', 'contacts'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export const handlerEntry = (name: HandlerName): string => path.join(PROJECT_ROOT, 'lambdas', 'handlers', `${name}.ts`);
