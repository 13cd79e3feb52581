/**
 * `npm start`'s log: one readable line per event ("webhook stored", "command sent", "status
 * changed", failures...) instead of JSON. Entries still pass through the shared logger, so phone
 * numbers are masked and secret-looking keys dropped exactly as in the Lambdas' JSON logs.
 * Successful API requests (and 404s) are left out (the web page polls every second); `SANDBOX_LOG=json`
 * brings back the JSON lines. Control characters in values are escaped, so a value cannot forge a line.
 */
import { createLogger, type Logger, type LogLevel } from '../lambdas/platform/logger.js';

/** Fields shown first, in this order, when present; the rest follow as key=value. */
const LEADING = ['command_id', 'type', 'group_id', 'message_handle', 'status', 'from_number', 'reason', 'error'];
const QUIET = new Set(['sqs poller: partial batch failure']);

// Control characters (C0, DEL, C1), line and paragraph separators, and bidirectional overrides:
// in a readable line they could start a fake new line, move the cursor or hide text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Writes unsafe characters as escapes (`\n`, `\u001b`), so one entry is always one plain line. */
const escapeControls = (text: string): string =>
  text.replace(UNSAFE, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function formatLogEntry(entry: Record<string, unknown>): string | undefined {
  const { level, message, component, time, ...data } = entry;
  // 404s too: `cli status --wait` and the page ask for what does not exist yet.
  if (message === 'api request' && (Number(data.status) < 400 || Number(data.status) === 404)) return undefined;
  if (QUIET.has(String(message))) return undefined;
  const keys = [...LEADING.filter((key) => key in data), ...Object.keys(data).filter((key) => !LEADING.includes(key))];
  const fields = keys
    .filter((key) => data[key] !== null && data[key] !== undefined && key !== 'requestId')
    .map((key) => `${key}=${typeof data[key] === 'string' ? data[key] : JSON.stringify(data[key])}`);
  const mark = level === 'error' ? 'ERROR ' : level === 'warn' ? 'WARN  ' : '';
  return escapeControls(
    `${String(time ?? '').slice(11, 19)}  ${String(component ?? '').padEnd(11)} ${mark}${String(message)}${fields.length ? `  ${fields.join(' ')}` : ''}`,
  );
}

export function readableLoggerFor(
  component: string,
  options: { write?: (line: string) => void; level?: LogLevel } = {},
): Logger {
  const write = options.write ?? ((line: string) => console.log(line));
  return createLogger({
    base: { component },
    level: options.level,
    write: (json) => {
      const line = formatLogEntry(JSON.parse(json) as Record<string, unknown>);
      if (line !== undefined) write(line);
    },
  });
}
