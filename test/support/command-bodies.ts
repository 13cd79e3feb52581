/**
 * Seeded command bodies for the schema tests (test/unit/schemas/): valid commands of every type
 * broken in zero to three ways each, with values chosen at the edges of every rule (lengths at and
 * past each limit in UTF-16 units and in code points, every character `trim()` removes, E.164 with
 * other scripts' digits, URLs in odd spellings) and hostile ones from fuzz.ts.
 */
import {
  MAX_CONTENT_CHARS,
  MAX_GROUP_MEMBERS,
  MAX_PART_INDEX,
  REACTIONS,
  SEND_STYLES,
} from '../../lambdas/contract/sendblue-rules.js';
import { hostileString, hostileValue, int, pick, type Random } from './fuzz.js';

const POOL = Array.from({ length: 40 }, (_, i) => `+1555${String(8_100_000 + i).padStart(7, '0')}`);

function members(random: Random, n: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < n) chosen.add(pick(random, POOL));
  return [...chosen];
}

/** What `trim()` removes, one by one, and look-alikes it keeps (zero-width space, Mongolian vowel separator). */
const TRIMMED = [
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  ' ',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2005',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
];
const KEPT_LOOKALIKES = ['\u200b', '\u180e', '\u0085', '\u00ad', '\u2060'];

const E164_EDGES = [
  '+15551230001',
  '+1234567',
  '+123456',
  '+123456789012345',
  '+1234567890123456',
  '+0123456789',
  '+١٥٥٥١٢٣٠٠٠١',
  '+１５５５１２３０００１',
  '+15551230001\n',
  ' +15551230001',
  '+1 5551230001',
  '15551230001',
  '+15551230001 ',
  '++15551230001',
];

function idEdge(random: Random): string {
  const emoji = '😀';
  switch (int(random, 14)) {
    case 0:
      return 'h'.repeat(256);
    case 1:
      return 'h'.repeat(257);
    case 2:
      return emoji.repeat(128);
    case 3:
      return emoji.repeat(129);
    case 4:
      return `${'a'.repeat(255)}${emoji}`;
    case 5:
      return `${'a'.repeat(254)}${emoji}`;
    case 6: {
      // Around the limit, mixed: k emoji and the rest plain, 255 to 258 UTF-16 units in all.
      const k = int(random, 129);
      const plain = Math.max(0, 255 + int(random, 4) - 2 * k);
      const chars = [...'a'.repeat(plain), ...Array.from({ length: k }, () => emoji)];
      for (let i = chars.length - 1; i > 0; i -= 1) {
        const j = int(random, i + 1);
        [chars[i], chars[j]] = [chars[j]!, chars[i]!];
      }
      return chars.join('');
    }
    case 7:
      return pick(random, [...TRIMMED, ...KEPT_LOOKALIKES]).repeat(1 + int(random, 3));
    case 8:
      return `g${pick(random, ['\n', '\u0085', '\u2028', '\u0007', '\u007f', '\u009f', '\u00a0', '\ud800', '\udc00'])}`;
    case 9:
      return '';
    default:
      return `sb_group_${random().toString(36).slice(2)}`;
  }
}

function textEdge(random: Random, max: number): string {
  switch (int(random, 10)) {
    case 0:
      return 'x'.repeat(max);
    case 1:
      return 'x'.repeat(max + 1);
    case 2:
      return '👋'.repeat(max);
    case 3:
      return '👋'.repeat(max + 1);
    case 4:
      return Array.from({ length: 1 + int(random, 4) }, () => pick(random, TRIMMED)).join('');
    case 5:
      return `${pick(random, TRIMMED)}${pick(random, KEPT_LOOKALIKES)}`;
    case 6:
      return `x${pick(random, ['\ud800', '\udfff', '\ud83d'])}${pick(random, ['', 'y', '\ud83d'])}`;
    case 7:
      return `line\n\u0000\u001b[31m${pick(random, KEPT_LOOKALIKES)}`;
    default:
      return hostileString(random);
  }
}

const SCHEMES = ['https://', 'http://', 'HTTPS://', 'https:', 'https:///', 'ftp://', 'javascript:', '', ' https://'];
const HOSTS = [
  'cdn.example.com',
  'Example.COM',
  'localhost',
  '127.0.0.1',
  '[::1]',
  'LOCALHOST',
  '127.1',
  'example',
  'a-b.example.co',
  '-a.example.com',
  'a_b.example.com',
  'xn--mnchen-3ya.de',
  'xn--a.com',
  'x.999',
  'x.1a',
  '1.2.3.4',
  '256.1.1.1',
  '09.0.0.1',
  'user:pw@example.com',
  '@example.com',
  '[2001:db8::1]',
  'exa mple.com',
  'é.example.com',
  'example.com.',
  '',
  `${'a'.repeat(64)}.com`,
];
const PORTS = ['', '', '', ':443', ':8080', ':65535', ':65536', ':0', ':', ':abc', ':00080'];
const PATHS = [
  '',
  '/',
  '/a.png',
  '/dir/photo.JPEG',
  '/v.mp4',
  '/image',
  '/a.png/..',
  '/a.png/.',
  '/b/../c.gif',
  '/x%20y.png',
  '/a b.png',
  '/é.png',
  '/a\\b.png',
  '/a.png\\',
  '/a.png/%2e%2e',
  '/a.toolong1',
  '/a.p',
  '/a.png;x',
  '/a{b}.png',
  '/a.png%7B',
  "/a'.png",
  '/a.pn"g',
  '/hook',
  '//a.png',
];
const AFTERS = ['', '', '?x=1', '#frag', '?a.png', '?q=\\', '#/b.png', '?x= y'];

const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-';
/** Printable ASCII a path may hold, the characters WHATWG escapes or reads specially included. */
const PATH_CHARS = 'abcXYZ019-._~!$&\'()*+,;=:@%"<>`{}|^[]';

/** A URL in the plain form, made of random parts: hosts, ports, segments, dots, extensions. */
export function plainUrl(random: Random): string {
  const label = () => {
    const chars = Array.from({ length: 1 + int(random, 8) }, () => pick(random, [...LABEL_CHARS]));
    if (random() < 0.8) chars[0] = pick(random, [...'abcxyz']);
    return chars.join('');
  };
  const host =
    random() < 0.15
      ? pick(random, ['localhost', '127.0.0.1', '[::1]', `${int(random, 300)}.0.${int(random, 300)}.1`])
      : Array.from({ length: 1 + int(random, 3) }, label).join('.');
  const segment = () =>
    pick(random, ['', '.', '..', '%2e', '%2E%2e', '']) ||
    Array.from({ length: int(random, 10) }, () => pick(random, [...PATH_CHARS])).join('');
  const segments = Array.from({ length: int(random, 4) }, segment);
  if (random() < 0.7)
    segments.push(`${segment()}.${pick(random, ['png', 'JPG', 'mp4', 'heic', 'a', 'toolong', '1', 'p-g'])}`);
  return [
    pick(random, ['https://', 'https://', 'http://']),
    host,
    pick(random, ['', '', ':443', `:${int(random, 70_000)}`]),
    segments.length ? `/${segments.join('/')}` : '',
    pick(random, ['', '', '?x=1', '#f', '?a=/b.png#c']),
  ].join('');
}

/** A URL in any of many spellings, plain or odd, with or without a file extension. */
export function urlEdge(random: Random): string {
  if (random() < 0.4) return plainUrl(random);
  let url = `${pick(random, SCHEMES)}${pick(random, HOSTS)}${pick(random, PORTS)}${pick(random, PATHS)}${pick(random, AFTERS)}`;
  const roll = random();
  if (roll < 0.08) {
    const at = int(random, url.length + 1);
    url = `${url.slice(0, at)}${pick(random, ['\t', '\n', '\r', ' ', '\u0000', '\\'])}${url.slice(at)}`;
  } else if (roll < 0.12) url = `${url}${pick(random, ['\n', ' ', '\t'])}`;
  else if (roll < 0.16) url = `https://cdn.example.com/${'a'.repeat(2020 + int(random, 40))}.png`;
  return url;
}

type Body = Record<string, unknown>;

function validSend(random: Random): Body {
  const body: Body = { type: 'send_group_message' };
  if (random() < 0.6) body.numbers = members(random, 1 + int(random, MAX_GROUP_MEMBERS));
  if (!body.numbers || random() < 0.3) body.group_id = `sb_group_${random().toString(36).slice(2)}`;
  if (random() < 0.8)
    body.content = pick(random, ['Hello group', 'שלום 👋', 'line\none', 'x'.repeat(MAX_CONTENT_CHARS - 1)]);
  if (!body.content || random() < 0.2)
    body.media_url = pick(random, ['https://cdn.example.com/a.png', 'http://localhost:4010/m.jpg']);
  if (random() < 0.3) body.send_style = pick(random, SEND_STYLES);
  if (random() < 0.3) body.from_number = '+15550001111';
  if (random() < 0.3) body.status_callback = 'https://your-app.example.com/hook';
  if (random() < 0.4) body.command_id = `cmd-${random().toString(36).slice(2)}`;
  return body;
}

function validModify(random: Random): Body {
  const modifyType = pick(random, ['add_recipient', 'remove_recipient', 'rename'] as const);
  const body: Body = { type: 'modify_group', group_id: 'sb_group_1', modify_type: modifyType };
  if (modifyType === 'rename') body.name = pick(random, ['Trip', 'Weekend plans 🏖️', 'n'.repeat(256)]);
  else body.number = pick(random, POOL);
  if (random() < 0.3) body.from_number = '+15550001111';
  if (random() < 0.4) body.command_id = `cmd-${random().toString(36).slice(2)}`;
  return body;
}

function validReaction(random: Random): Body {
  const body: Body = {
    type: 'send_reaction',
    message_handle: pick(random, [
      '5B0E7C2A-91D4-4C3E-8F00-2A3B4C5D6E7F',
      `msg-${random().toString(36).slice(2)}`,
      'h',
    ]),
    reaction: pick(random, REACTIONS),
  };
  if (random() < 0.4) body.part_index = pick(random, [0, 1, 2, MAX_PART_INDEX]);
  if (random() < 0.3) body.from_number = '+15550001111';
  if (random() < 0.4) body.command_id = `cmd-${random().toString(36).slice(2)}`;
  return body;
}

function validContactOpt(random: Random): Body {
  const body: Body = { type: 'set_contact_opt', number: pick(random, POOL), opted_out: random() < 0.5 };
  if (random() < 0.4) body.command_id = `cmd-${random().toString(36).slice(2)}`;
  return body;
}

const FIELDS = [
  'type',
  'command_id',
  'group_id',
  'numbers',
  'content',
  'media_url',
  'send_style',
  'from_number',
  'status_callback',
  'modify_type',
  'number',
  'name',
  'message_handle',
  'reaction',
  'part_index',
  'opted_out',
];

/** A value for a field: mostly at the edges of that field's rule, sometimes anything at all. */
function valueFor(field: string, random: Random): unknown {
  if (random() < 0.15) return hostileValue(random);
  switch (field) {
    case 'type':
      return pick(random, [
        'send_group_message',
        'modify_group',
        'send_group_message ',
        'MODIFY_GROUP',
        'send_reaction',
        'send_reaction ',
        'SEND_REACTION',
        'set_contact_opt',
        'set_contact_opt ',
        null,
      ]);
    case 'command_id':
      return pick(random, ['a'.repeat(128), 'a'.repeat(129), 'has space', 'é', '', 'a\n', '~!', 'tab\t', 'ok-1']);
    case 'group_id':
    case 'message_handle':
      return idEdge(random);
    case 'reaction':
      return pick(random, [...REACTIONS, 'Love', 'heart', '-love', '', 'love ', 'emphasis']);
    case 'part_index':
      return pick(random, [
        0,
        1,
        MAX_PART_INDEX,
        MAX_PART_INDEX + 1,
        -1,
        1.5,
        '1',
        null,
        true,
        2 ** 53,
        1e300,
        -0.5,
        [0],
      ]);
    case 'numbers': {
      const roll = int(random, 7);
      if (roll === 0) return [];
      if (roll === 1) return members(random, MAX_GROUP_MEMBERS + 1);
      if (roll === 2) return members(random, MAX_GROUP_MEMBERS);
      if (roll === 3) {
        const list = members(random, 2 + int(random, 5));
        return [...list, list[0]];
      }
      if (roll === 4) return [...members(random, 1 + int(random, 3)), pick(random, E164_EDGES)];
      if (roll === 5) return pick(random, E164_EDGES);
      return members(random, 1 + int(random, 4));
    }
    case 'content':
      return textEdge(random, MAX_CONTENT_CHARS - 1);
    case 'name':
      return textEdge(random, 256);
    case 'media_url':
    case 'status_callback':
      return urlEdge(random);
    case 'send_style':
      return pick(random, [...SEND_STYLES, 'Confetti', '', 'sparkles']);
    case 'from_number':
    case 'number':
      return pick(random, E164_EDGES);
    case 'opted_out':
      return pick(random, [true, false, 'true', 'false', 0, 1, null, [true], {}]);
    case 'modify_type':
      return pick(random, ['add_recipient', 'remove_recipient', 'rename', 'leave', 'kick', '']);
    default:
      return hostileValue(random);
  }
}

/** One body as a producer might put it on the queue (parsed back from its JSON text). */
export function commandBody(random: Random): unknown {
  if (random() < 0.02) return pick(random, [null, 42, 'a string', [], true, [{ type: 'send_group_message' }]]);
  const roll = random();
  const body =
    roll < 0.45
      ? validSend(random)
      : roll < 0.72
        ? validModify(random)
        : roll < 0.9
          ? validReaction(random)
          : validContactOpt(random);
  const changes = int(random, 4);
  for (let i = 0; i < changes; i += 1) {
    const roll = random();
    if (roll < 0.65) {
      const field = pick(random, FIELDS);
      body[field] = valueFor(field, random);
    } else if (roll < 0.85) delete body[pick(random, FIELDS)];
    else {
      // An own property even for `__proto__` (a plain assignment would set the prototype instead).
      const key = pick(random, ['extra', 'contnet', '__proto__', 'Type', hostileString(random).slice(0, 40)]);
      Object.defineProperty(body, key, {
        value: hostileValue(random),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return JSON.parse(JSON.stringify(body));
}
