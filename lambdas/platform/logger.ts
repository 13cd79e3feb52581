import { ENV } from '../contract/env.js';
import { invocationFields } from './lambda-entry.js';

/**
 * A tiny structured logger (one JSON line per entry). Kept in-house because the goal is a handler
 * that loads as fast as its SDK clients alone. Every entry passes through `redact`: phone numbers
 * are masked and values under secret-looking keys are dropped, so callers cannot leak them by accident.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const SECRET_KEY = /secret|token|password|authorization|api[-_]?key|credential|signing/i;
/**
 * Candidate phone numbers: a run of digits, optionally after a `+` or `(`, with single separators
 * (space, `-`, `.`, parentheses) between digits: `+14155550123`, `+1 415 555 0123`, `(415) 555-0123`.
 * Letters around a number do not protect it (`id14155550123`, `+14155550123é`).
 */
const PHONE_CANDIDATE = /\+?\(?\d(?:[ .()-]{0,2}\d)*/g;
// A date (2026-11-28, with or without a time after it) is not a phone number.
const DATE_START = /^\d{4}-\d{2}-\d{2}/;
/** Strings longer than this are cut in logs (a 120 KB message body is not worth a log line). */
const MAX_LOGGED_CHARS = 1_000;
/** Nesting logged before values are replaced by '[too deep]'. */
const MAX_LOGGED_DEPTH = 6;

/**
 * `+14155550123` -> `+1415***0123`: enough to tell numbers apart, not enough to dial. A run of
 * 10-15 digits is masked (7-15 after a `+`); longer runs are ids (UUIDs, handles), shorter ones
 * codes and counts, and dates are left alone.
 */
export function maskPhone(value: string): string {
  // UUIDs (our message handles and group ids) are left whole: a segment of digits next to a
  // dash would otherwise read as a number with separators (`…-9db1-883816603944`).
  let out = '';
  let from = 0;
  for (const uuid of value.matchAll(UUID)) {
    out += maskRuns(value.slice(from, uuid.index)) + uuid[0];
    from = uuid.index + uuid[0].length;
  }
  return out + maskRuns(value.slice(from));
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function maskRuns(value: string): string {
  return value.replace(PHONE_CANDIDATE, (match) => {
    const digits = match.replace(/\D/g, '');
    const plus = match.startsWith('+');
    if (digits.length > 15 || digits.length < (plus ? 7 : 10) || DATE_START.test(match)) return match;
    return `${plus ? '+' : ''}${digits.slice(0, 4)}***${digits.slice(-4)}`;
  });
}

function truncate(text: string): string {
  if (text.length <= MAX_LOGGED_CHARS) return text;
  return `${text.slice(0, MAX_LOGGED_CHARS)}…[truncated, ${text.length - MAX_LOGGED_CHARS} more characters]`;
}

/** Masks phone numbers, drops values under secret-looking keys, cuts long strings and deep nesting. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return truncate(maskPhone(value));
  if (value === null || typeof value !== 'object') return value;
  // Deeper values are not logged at all: returning them as they are would skip the masking.
  if (depth > MAX_LOGGED_DEPTH) return '[too deep]';
  if (value instanceof Error) return { name: value.name, message: truncate(maskPhone(value.message)) };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  /** @default process.env.LOG_LEVEL or 'info' */
  level?: LogLevel;
  /** Where lines go. @default console.log */
  write?: (line: string) => void;
  /** Fields added to every entry. */
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const envLevel = process.env[ENV.logLevel] as LogLevel | undefined;
  const threshold = LEVELS[options.level ?? (envLevel && envLevel in LEVELS ? envLevel : 'info')];
  const write = options.write ?? ((line: string) => console.log(line));
  const base = options.base ?? {};
  const log = (level: LogLevel) => (message: string, data?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const entry = redact({ level, message, ...base, ...invocationFields(), ...data, time: new Date().toISOString() });
    write(JSON.stringify(entry));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** For tests and benchmarks that want silence. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
