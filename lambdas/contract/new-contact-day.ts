/**
 * Sendblue's new-contact day (docs.sendblue.com /limits: daily limits "reset daily at 3am EST"):
 * 3am New York time, summer time included. Shared by the sender's quota (sending/new-contact-quota.ts)
 * and the simulator, so both count the same day.
 */
const RESET_ZONE = 'America/New_York';
const RESET_HOUR = 3;
const WALL_CLOCK = new Intl.DateTimeFormat('en-US', {
  timeZone: RESET_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** New York's wall clock at an instant, as the fields of a UTC date. */
function wall(at: number): { year: number; month: number; day: number; asUtc: number } {
  const parts = Object.fromEntries(WALL_CLOCK.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return { year, month, day, asUtc: Date.UTC(year, month - 1, day, hour, minute, second) };
}

/** The instant New York's clock shows `hour`:00 on that day (day overflow allowed: day 32 is next month's first). */
function newYorkTime(year: number, month: number, day: number, hour: number): number {
  const guess = Date.UTC(year, month - 1, day, hour);
  const offset = (at: number) => wall(at).asUtc - Math.floor(at / 1000) * 1000;
  const first = guess - offset(guess);
  return guess - offset(first); // again at the result, in case a summer-time change lies between
}

/** The last 3am (New York) at or before `now`. */
export function lastDailyReset(now: number): number {
  const { year, month, day } = wall(now);
  const today = newYorkTime(year, month, day, RESET_HOUR);
  return today <= now ? today : newYorkTime(year, month, day - 1, RESET_HOUR);
}

/** The next 3am (New York) after `now`. */
export function nextDailyReset(now: number): number {
  const { year, month, day } = wall(now);
  const today = newYorkTime(year, month, day, RESET_HOUR);
  return today > now ? today : newYorkTime(year, month, day + 1, RESET_HOUR);
}
