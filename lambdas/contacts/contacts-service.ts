import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { tableChangeOf } from '../events/table-change.js';
import type { Logger } from '../platform/logger.js';
import { contactFactsFor } from './contact-projection.js';
import type { ContactLedger } from './ports.js';

export interface ContactsDeps {
  ledger: ContactLedger;
  logger: Logger;
  /** The stack's lines: never contacts. @default none */
  ourLines?: readonly string[];
  /** How long a sighting already written by this container is not written again, ms. @default 15 minutes */
  sightingCacheMs?: number;
  now?: () => number;
}

/** Sightings remembered per container (a bound on memory; the oldest go first). */
const MAX_REMEMBERED = 20_000;

/**
 * One batch of the table's stream into the contacts ledger (contact-projection.ts decides, the
 * ledger's conditional writes make a redelivered change harmless). A sighting this container
 * wrote within `sightingCacheMs` is not written again (a busy group's members would otherwise cost
 * a write each per message): `last_seen` is exact to that much. Opt changes are always written.
 * A failure names the record to retry from (reportBatchItemFailures); a record not understood is
 * logged and skipped.
 */
export function createContactsProcessor(deps: ContactsDeps) {
  const { ledger, logger } = deps;
  const ourLines = new Set(deps.ourLines ?? []);
  const cacheMs = deps.sightingCacheMs ?? 15 * 60_000;
  const now = deps.now ?? Date.now;
  const written = new Map<string, number>();

  const fresh = (key: string) => {
    const at = written.get(key);
    return at !== undefined && now() - at < cacheMs;
  };
  const remember = (key: string) => {
    if (written.size >= MAX_REMEMBERED) written.delete(written.keys().next().value as string);
    written.delete(key);
    written.set(key, now());
  };

  return async function processBatch(records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse> {
    let opted = 0;
    let seen = 0;
    for (const record of records) {
      let facts: ReturnType<typeof contactFactsFor>;
      let sequenceNumber: string;
      try {
        const change = tableChangeOf(record);
        sequenceNumber = change.sequenceNumber;
        facts = contactFactsFor(change, ourLines);
      } catch (error) {
        logger.error('stream record not understood; skipped', { error, event_id: record.eventID ?? null });
        continue;
      }
      try {
        for (const sighting of facts.sightings) {
          const key = `${sighting.number}|${sighting.contactedFrom ?? ''}`;
          if (fresh(key)) continue;
          await ledger.recordSighting(sighting);
          remember(key);
          seen += 1;
        }
        for (const change of facts.optChanges) {
          const result = await ledger.recordOptChange(change);
          if (result === 'written') opted += 1;
          logger.info(result === 'written' ? 'contact opt state recorded' : 'older opt evidence ignored', {
            number: change.number,
            opted_out: change.optedOut,
            by: change.by,
            at: change.at,
          });
        }
      } catch (error) {
        logger.error('contacts not recorded; the batch is retried from this record', {
          error,
          event_id: record.eventID ?? null,
        });
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    if (seen || opted)
      logger.info('contacts recorded', { sightings: seen, opt_changes: opted, records: records.length });
    return { batchItemFailures: [] };
  };
}
