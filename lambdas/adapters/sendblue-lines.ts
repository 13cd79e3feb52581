import type { LineStateReport, LineUsageReport, QuotaWindowReport } from '../sending/ports.js';

/**
 * Sendblue's two line answers read defensively (every field optional, docs/sendblue-api.md "Lines"):
 * `GET /api/v2/lines/state` (SDK 3.17: `data: [{sendblue_number, status, status_changed_at}]`) and
 * `GET /api/v2/lines/usage` (docs: `lines: [{phone, state, hourly, daily, availableAt}]`). Shared by
 * the client and the tests' in-memory Sendblue, which read the simulator's answers the same way.
 */
type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const rows = (body: unknown, key: string): Json[] =>
  isRecord(body) && Array.isArray(body[key]) ? (body[key] as unknown[]).filter(isRecord) : [];
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

export function lineStatesFrom(body: unknown): LineStateReport[] {
  return rows(body, 'data').flatMap((row) => {
    const line = text(row.sendblue_number) ?? text(row.phone);
    const status = text(row.status);
    return line && status ? [defined({ line, status, changedAt: text(row.status_changed_at) })] : [];
  });
}

function windowFrom(value: unknown): QuotaWindowReport | undefined {
  if (!isRecord(value)) return undefined;
  return defined({
    used: count(value.used),
    limit: count(value.limit),
    remaining: count(value.remaining),
    nextSlotAt: text(value.nextSlotAt),
  });
}

export function lineUsageFrom(body: unknown): LineUsageReport[] {
  const enabled = isRecord(body) && typeof body.enabled === 'boolean' ? body.enabled : undefined;
  return rows(body, 'lines').flatMap((row) => {
    const line = text(row.phone) ?? text(row.sendblue_number);
    if (!line) return [];
    const daily = windowFrom(row.daily);
    const resetsAt = isRecord(row.daily) ? text(row.daily.resetsAt) : undefined;
    return [
      defined({
        line,
        state: text(row.state),
        enabled,
        sampledAt: text(row.sampledAt),
        hourly: windowFrom(row.hourly),
        daily: daily && defined({ ...daily, resetsAt }),
        availableAt: text(row.availableAt),
      }),
    ];
  });
}
