import type { Logger } from '../platform/logger.js';
import type { UsageAdvice } from './new-contact-quota.js';
import type { LineStateReport, LineUsageReport, SendblueApi } from './ports.js';

/**
 * What Sendblue says about the lines right now (`lines/state`, `lines/usage`), cached in the
 * sender's memory: both are read together at most once per `maxAgeMs` per sender container, so a
 * fleet of N warm containers makes about 2N calls per `maxAgeMs` (20 s by default: 6 a minute
 * each), well inside the account's ~100 list requests per 10 s shared with checks and backfill.
 *
 * It is advice: a failed read is logged and the last good answer is used while it is younger than
 * three ages, then none; a slow read holds a command at most `waitMs` (the read goes on and fills
 * the cache for the next one). A command never fails or waits longer because of it.
 */
export interface LineAdviceSettings {
  /** Read the lines again once the last read is this old, ms. */
  maxAgeMs: number;
  /** A command waits at most this long for a read in flight, ms. */
  waitMs: number;
}

export const DEFAULT_LINE_ADVICE: LineAdviceSettings = { maxAgeMs: 20_000, waitMs: 1_000 };

/** One line as last read. */
export interface LineView {
  /** ONLINE, DEGRADED, OFFLINE (as Sendblue gave it); absent when unknown. */
  status?: string;
  /** The new-contact quota as Sendblue counts it; absent when unknown or not enforced. */
  usage?: UsageAdvice;
}

export interface LineAdvice {
  forLine(line: string): Promise<LineView>;
}

interface Cached<T> {
  at: number;
  byLine: Map<string, T>;
}

export function createLineAdvice(deps: {
  sendblue: Pick<SendblueApi, 'getLineStates' | 'getLineUsage'>;
  now: () => number;
  logger: Logger;
  settings: LineAdviceSettings;
}): LineAdvice {
  const { maxAgeMs, waitMs } = deps.settings;
  let states: Cached<LineStateReport> | undefined;
  let usage: Cached<LineUsageReport> | undefined;
  let lastTry = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;

  async function read(): Promise<void> {
    const [stateAnswer, usageAnswer] = await Promise.allSettled([
      deps.sendblue.getLineStates(),
      deps.sendblue.getLineUsage(),
    ]);
    const at = deps.now();
    if (stateAnswer.status === 'fulfilled') states = { at, byLine: byLine(stateAnswer.value) };
    if (usageAnswer.status === 'fulfilled') usage = { at, byLine: byLine(usageAnswer.value) };
    const failed = [stateAnswer, usageAnswer].flatMap((answer) =>
      answer.status === 'rejected' ? [answer.reason instanceof Error ? answer.reason.message : 'failed'] : [],
    );
    if (failed.length) deps.logger.warn('could not read the lines from Sendblue (advice only)', { errors: failed });
  }

  return {
    async forLine(line) {
      const nowMs = deps.now();
      if (!reading && nowMs - lastTry >= maxAgeMs) {
        lastTry = nowMs;
        reading = read()
          .catch(() => undefined)
          .finally(() => {
            reading = undefined;
          });
      }
      if (reading) await Promise.race([reading, delay(waitMs)]);
      const fresh = <T>(cached: Cached<T> | undefined) =>
        cached && deps.now() - cached.at <= 3 * maxAgeMs ? cached.byLine.get(line) : undefined;
      const state = fresh(states);
      const counted = fresh(usage);
      return {
        ...(state ? { status: state.status } : {}),
        ...(counted ? adviceOf(counted, usage!.at) : {}),
      };
    },
  };
}

const byLine = <T extends { line: string }>(reports: T[]) => new Map(reports.map((report) => [report.line, report]));

/** A timer that does not keep the process alive (a read that hangs is left to its own timeout). */
const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

const epoch = (text: string | undefined) => {
  const ms = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
};

/** The usage the quota respects; none while Sendblue does not enforce the quota (`enabled: false`). */
export function adviceOf(report: LineUsageReport, readAt: number): { usage?: UsageAdvice } {
  if (report.enabled === false) return {};
  const usage: UsageAdvice = {
    sampledAt: epoch(report.sampledAt) ?? readAt,
    hourlyRemaining: report.hourly?.remaining,
    dailyRemaining: report.daily?.remaining,
    hourlyNextSlotAt: epoch(report.hourly?.nextSlotAt),
    dailyResetsAt: epoch(report.daily?.resetsAt),
    availableAt: epoch(report.availableAt),
  };
  return {
    usage: Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined)) as UsageAdvice,
  };
}
