import { ENV } from './env';

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
// E.164 numbers, and bare runs of 10-15 digits (a number without its +). Dates and ids with
// separators are left alone.
const PHONE = /\+\d{7,15}\b|\b\d{10,15}\b/g;

/** `+14155550123` -> `+1415***0123`: enough to tell numbers apart, not enough to dial. */
export function maskPhone(value: string): string {
  return value.replace(PHONE, (match) => {
    const digits = match.replace(/\D/g, '');
    return `${match.startsWith('+') ? '+' : ''}${digits.slice(0, 4)}***${digits.slice(-4)}`;
  });
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhone(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { name: value.name, message: maskPhone(value.message) };
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
    const entry = redact({ level, message, ...base, ...data, time: new Date().toISOString() });
    write(JSON.stringify(entry));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** For tests and benchmarks that want silence. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
