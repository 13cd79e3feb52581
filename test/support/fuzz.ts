/**
 * Seeded generators of hostile webhook bodies and read requests (test/integration/lambdas/webhooks/webhook-read-fuzz.test.ts).
 * The same seed gives the same cases on every run; FUZZ_SEED=<n> replays another seed.
 */
export type Random = () => number;

/** mulberry32: a small, fast, seedable PRNG. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
export const int = (random: Random, max: number) => Math.floor(random() * max);

/** Strings that have broken (or could break) parsing, keys, URLs or logs. */
const HOSTILE_TEXT = [
  '',
  ' ',
  '   ',
  '\u0000',
  'a\nb',
  'line\r\n20:00:00  ingest      webhook stored',
  '\u001b[31mred',
  '\u0085',
  '\u2028',
  'x\ud800',
  '\udc00y',
  '\ud83d',
  '😀',
  '😀'.repeat(128),
  'שלום עולם',
  '\u202egnp.exe',
  '%00',
  '%',
  '#',
  '/',
  '../..',
  '?token=x',
  '__proto__',
  'constructor',
  'toString',
  'MSG#x',
  'GROUP#x',
  'STATUS#SENT',
  '+14155550123',
  '+1 415 555 0123',
  '14155550123é',
  'h'.repeat(255),
  'h'.repeat(256),
  'h'.repeat(257),
  '😀'.repeat(129),
  'null',
  'undefined',
  'NaN',
  '0',
  '-1',
];

const DATES = [
  '2026-11-20T17:04:11.512Z',
  '2026-11-20T17:04:11Z',
  '2026-11-20T18:04:11+01:00',
  '2026-11-20T17:04:11.123456789Z',
  'hello 7',
  '2026-11-20',
  '2026-11-20T17:04:11',
  '2026-02-30T10:00:00Z',
  '1999-12-31T23:59:59Z',
  '2100-01-01T00:00:00Z',
  '+010000-01-01T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  'Fri Nov 20 2026 17:04:11 GMT+0000',
  '1732123451512',
  '2026-11-20T24:00:00Z',
];

export function hostileString(random: Random): string {
  switch (int(random, 6)) {
    case 0:
      return pick(random, HOSTILE_TEXT);
    case 1:
      return pick(random, DATES);
    case 2:
      return 'x'.repeat(int(random, 4_000));
    case 3:
      return pick(random, HOSTILE_TEXT).repeat(1 + int(random, 40));
    case 4:
      return String.fromCharCode(...Array.from({ length: 1 + int(random, 20) }, () => int(random, 0x10000)));
    default:
      return `${pick(random, HOSTILE_TEXT)}${random().toString(36)}`;
  }
}

/** Nested arrays and objects, `levels` deep. */
export function nested(levels: number, leaf: unknown = 'leaf', asObject = false): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i += 1) value = asObject ? { n: value } : [value];
  return value;
}

export function hostileValue(random: Random, depth = 0): unknown {
  switch (int(random, 13)) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, [0, -0, 1, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 12345678901234567890]);
    case 3:
      return int(random, 1e9) - 5e8;
    case 4:
    case 5:
    case 6:
      return hostileString(random);
    case 7:
      return depth > 3 ? [] : Array.from({ length: int(random, 5) }, () => hostileValue(random, depth + 1));
    case 8:
      return depth > 3
        ? {}
        : { [hostileString(random)]: hostileValue(random, depth + 1), '': 1, ['__proto__']: { polluted: true } };
    case 9:
      return nested(55 + int(random, 20), 'deep', random() < 0.5);
    case 10:
      return [pick(random, ['+14155550123', '+12125550177']), '', hostileString(random)];
    case 11:
      return pick(random, DATES);
    default:
      return `+1${int(random, 1e10)}`;
  }
}

/** A message_handle or group_id: mostly valid and unique, sometimes hostile. */
export function fuzzId(random: Random, prefix: string): unknown {
  const roll = random();
  if (roll < 0.85) return `${prefix}-${random().toString(36).slice(2)}${random().toString(36).slice(2, 6)}`;
  if (roll < 0.95) return `${prefix}-${random().toString(36).slice(2)}${pick(random, HOSTILE_TEXT)}`;
  return hostileValue(random);
}
