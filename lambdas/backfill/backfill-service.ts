import {
  addResult,
  asWebhookPayload,
  emptyCounts,
  isAlreadyStored,
  isLater,
  newestUpdate,
  nextCursor,
  presenceKeys,
  windowStart,
  type LineCounts,
  type StoreResult,
} from './backfill-rules.js';
import type { LineReport, LineStop } from '../contract/backfill-report.js';
import { createIngestService } from '../webhooks/ingest-service.js';
import type { Logger } from '../platform/logger.js';
import { classifySendblueError } from '../sending/sendblue-errors.js';
import type { IngestStore, StatusRelay } from '../webhooks/ports.js';
import type { BackfillStore, LineMessages } from './ports.js';
import { parseWebhookPayload, type WebhookEvent } from '../webhooks/webhook-payload.js';

/**
 * Backfill of one line (docs/backfill.md): reads Sendblue's message list for the line, oldest
 * update first, from the watermark minus the overlap, and stores each record through the ingest
 * use case, exactly as if its webhook had arrived (a later webhook is then a duplicate). The
 * watermark moves to the newest `date_updated` of the pages wholly stored, never back.
 */
export interface LineBackfillDeps {
  store: BackfillStore & IngestStore;
  sendblue: LineMessages;
  relay: StatusRelay;
  logger: Logger;
  now: () => Date;
  settings: { overlapMs: number; lookbackMs: number; pageSize: number };
}

export type { LineReport, LineStop };

/** Shared by the lines of one run: pages left and when to stop starting new ones. */
export interface RunBudget {
  pagesLeft: number;
  deadlineMs: number;
}

export function createLineBackfill(deps: LineBackfillDeps) {
  const { store, sendblue, logger, settings } = deps;
  // The ingest use case logs each webhook at info; here a run re-reads its overlap every time, so
  // those lines drop to debug and the backfill logs what it really recovered.
  const ingest = createIngestService({ store, relay: deps.relay, logger: { ...logger, info: logger.debug } });

  /** A listed record as the webhook it stands for, parsed; undefined (logged) when it is not one. */
  function toEvent(
    record: Record<string, unknown>,
  ): { event: WebhookEvent; payload: Record<string, unknown> } | undefined {
    const { payload, direction } = asWebhookPayload(record);
    const parsed = parseWebhookPayload(payload, direction);
    if (parsed.ok) return { event: parsed.event, payload };
    logger.warn('backfill skipped a record Sendblue listed', {
      error: parsed.error,
      message_handle: typeof record.message_handle === 'string' ? record.message_handle.slice(0, 64) : null,
    });
    return undefined;
  }

  /**
   * Stores a page: one read of what is already there (most records, as the overlap is read
   * again every run and webhooks usually arrive), then the ingest use case for the rest.
   */
  async function storePage(records: Record<string, unknown>[], counts: LineCounts): Promise<void> {
    const events = records.map(toEvent);
    const found = await store.findItems(events.flatMap((parsed) => (parsed ? presenceKeys(parsed.event) : [])));
    for (const parsed of events) {
      if (!parsed) addResult(counts, 'skipped');
      else if (isAlreadyStored(parsed.event, found)) addResult(counts, 'already-there');
      else addResult(counts, await storeEvent(parsed.event, parsed.payload));
    }
  }

  async function storeEvent(event: WebhookEvent, payload: Record<string, unknown>): Promise<StoreResult> {
    const outcome = await ingest(event, JSON.stringify(payload));
    if (outcome.kind === 'refused') return 'skipped';
    const stored = outcome.kind === 'message' ? outcome.result === 'stored' : outcome.result !== 'duplicate';
    if (!stored) return 'already-there';
    logger.info('backfill stored a missed event', {
      message_handle: event.messageHandle,
      group_id: event.groupId ?? null,
      status: event.status,
      direction: event.direction,
    });
    return 'stored';
  }

  return async function backfillLine(line: string, budget: RunBudget): Promise<LineReport> {
    const before = await store.getBackfillWatermark(line);
    const from = windowStart(before, deps.now().getTime(), settings);
    const report: LineReport = { line, from, watermark: before, pages: 0, stoppedBy: 'done', ...emptyCounts() };
    let reached: string | undefined;
    let cursor = { since: from, skip: 0 };
    for (;;) {
      if (budget.pagesLeft <= 0 || deps.now().getTime() >= budget.deadlineMs) {
        report.stoppedBy = 'budget';
        break;
      }
      let page: Awaited<ReturnType<LineMessages['listLineMessages']>>;
      try {
        budget.pagesLeft -= 1;
        page = await sendblue.listLineMessages({
          line,
          updatedSince: cursor.since,
          offset: cursor.skip,
          limit: settings.pageSize,
        });
        report.pages += 1;
      } catch (error) {
        const failure = classifySendblueError(error, 'list messages');
        report.stoppedBy = failure.kind === 'throttled' ? 'throttled' : 'error';
        report.error = failure.reason;
        break;
      }
      try {
        await storePage(page.records, report);
      } catch (error) {
        // Not wholly stored: the watermark stays before this page, so the next run reads it again.
        report.stoppedBy = 'error';
        report.error = `storing failed: ${error instanceof Error ? error.name : 'error'}`;
        logger.error('backfill could not store a page; the next run reads it again', { error });
        break;
      }
      const newest = newestUpdate(page.records);
      if (isLater(newest, reached)) reached = newest;
      if (!page.hasMore || page.records.length === 0) break;
      cursor = nextCursor(cursor, page.records);
    }
    if (isLater(reached, before)) {
      await store.advanceBackfillWatermark(line, reached);
      report.watermark = reached;
    }
    return report;
  };
}
