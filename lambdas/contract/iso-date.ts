/**
 * Webhook dates: ISO-8601 date-times with a time zone, as Sendblue sends them
 * (`2026-11-20T17:04:11.512Z`; seconds, fraction and a `+hh:mm` offset are also accepted), within
 * a sane range. `Date.parse` is not used: it accepts nearly anything (`"hello 7"` is a date in 2001)
 * and years past 9999, which would then sort wrongly as text in the group timeline.
 */
export const EARLIEST_DATE = '2000-01-01T00:00:00.000Z';
export const LATEST_DATE = '2100-01-01T00:00:00.000Z'; // exclusive

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/;

export type DateParse = { ok: true; iso: string } | { ok: false; problem: 'format' | 'range' };

/** Parses and normalises to `toISOString()` (UTC, milliseconds), so dates sort correctly as text. */
export function parseIsoDate(text: string): DateParse {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return { ok: false, problem: 'format' };
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetMinutes =
    match[8] === 'Z' ? 0 : (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11]));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  const valid =
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! <= 23 &&
    minute! <= 59 &&
    second <= 59 &&
    Math.abs(offsetMinutes) <= 14 * 60 &&
    Number(match[11] ?? 0) <= 59;
  if (!valid) return { ok: false, problem: 'format' };
  const time = Date.UTC(year!, month! - 1, day!, hour!, minute!, second, millis) - offsetMinutes * 60_000;
  if (time < Date.parse(EARLIEST_DATE) || time >= Date.parse(LATEST_DATE)) return { ok: false, problem: 'range' };
  return { ok: true, iso: new Date(time).toISOString() };
}
