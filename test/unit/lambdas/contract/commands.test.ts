import { describe, expect, it } from 'vitest';
import {
  commandFingerprint,
  groupIdOf,
  validateCommand,
  type GroupCommand,
} from '../../../../lambdas/contract/commands.js';
import {
  MAX_CONTENT_CHARS,
  MAX_GROUP_MEMBERS,
  MAX_PART_INDEX,
  REACTIONS,
} from '../../../../lambdas/contract/sendblue-rules.js';
import { messageGroupIdFor } from '../../../../lambdas/sending/fifo-group.js';

const send = (extra: Record<string, unknown> = {}) => ({
  type: 'send_group_message',
  group_id: 'sb_group_1',
  content: 'Hello',
  ...extra,
});
const modify = (extra: Record<string, unknown> = {}) => ({
  type: 'modify_group',
  group_id: 'sb_group_1',
  modify_type: 'add_recipient',
  number: '+15551230003',
  ...extra,
});
const number = (i: number) => `+1555123${String(i).padStart(4, '0')}`;

function errorOf(input: unknown): string {
  const result = validateCommand(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be invalid`);
  return result.error;
}

describe('validateCommand: send_group_message', () => {
  it('accepts the docs/contract.md §5 example and a numbers-only send with media only', () => {
    const full = send({
      command_id: 'cmd-1',
      numbers: ['+15551230001', '+15551230002'],
      media_url: 'https://cdn.example.com/a.png',
      send_style: 'confetti',
      from_number: '+15550001111',
      status_callback: 'https://your-app.example.com/hook',
    });
    expect(validateCommand(full)).toEqual({ ok: true, command: full });
    const mediaOnly = {
      type: 'send_group_message',
      numbers: ['+15551230001'],
      media_url: 'https://cdn.example.com/v.mp4',
    };
    expect(validateCommand(mediaOnly).ok).toBe(true);
  });

  it.each([
    [{ type: 'send_group_message', content: 'hi' }, 'numbers or group_id is required'],
    [{ type: 'send_group_message', group_id: 'g' }, 'content or media_url is required'],
    [send({ numbers: ['5551230001'] }), 'numbers must be E.164'],
    [send({ numbers: [] }), 'numbers must be a non-empty array'],
    [send({ numbers: 'x' }), 'numbers must be a non-empty array'],
    [send({ numbers: ['+15551230001', '+15551230001'] }), 'must not repeat'],
    [
      send({ numbers: Array.from({ length: MAX_GROUP_MEMBERS + 1 }, (_, i) => number(i)) }),
      `at most ${MAX_GROUP_MEMBERS}`,
    ],
    [send({ content: '   ' }), 'content must not be empty'],
    [send({ content: 'x'.repeat(MAX_CONTENT_CHARS) }), `content must be under ${MAX_CONTENT_CHARS}`],
    [send({ content: '👋'.repeat(MAX_CONTENT_CHARS) }), `content must be under ${MAX_CONTENT_CHARS}`],
    [send({ content: 'x\ud800' }), 'content must be valid Unicode text'],
    [
      { type: 'modify_group', group_id: 'g', modify_type: 'rename', name: '\udc00 team' },
      'name must be valid Unicode text',
    ],
    [send({ content: 5 }), 'content must be a string'],
    [send({ media_url: 'ftp://cdn.example.com/a.png' }), 'media_url must be https'],
    [send({ media_url: 'https://cdn.example.com/image' }), 'media_url must end in a file extension'],
    [send({ media_url: 'not a url' }), 'media_url must be an absolute URL'],
    [send({ send_style: 'sparkles' }), 'send_style must be one of'],
    [send({ from_number: '555' }), 'from_number must be an E.164'],
    [send({ status_callback: 'http://example.com/hook' }), 'status_callback must be https'],
    [send({ status_callback: 'https://user:pw@example.com/hook' }), 'must not carry credentials'],
    [send({ command_id: 'has space' }), 'command_id must be'],
    [send({ command_id: 'x'.repeat(129) }), 'command_id must be'],
    [send({ group_id: '  ' }), 'group_id must not be blank'],
    [send({ group_id: 'g'.repeat(257) }), 'group_id must be 1 to 256 characters'],
    [send({ group_id: 'g\ud800' }), 'group_id must be valid Unicode text'],
    [send({ group_id: 'g\u0007' }), 'group_id must not contain control characters'],
    [send({ contnet: 'typo' }), 'unknown field "contnet"'],
  ])('rejects %j', (input, expected) => {
    expect(errorOf(input)).toContain(expected);
  });

  it('counts characters as people do: 18,995 emoji, right-to-left text and combined marks are within the limit', () => {
    for (const content of [
      '👋'.repeat(MAX_CONTENT_CHARS - 1),
      'שלום עולם مرحبا بالعالم',
      'x'.repeat(MAX_CONTENT_CHARS - 1),
      '👩🏽‍💻 e\u0301',
    ]) {
      expect(validateCommand(send({ content })).ok, content.slice(0, 20)).toBe(true);
    }
  });

  it('allows plain http callbacks only on loopback (the sandbox)', () => {
    expect(validateCommand(send({ status_callback: 'http://127.0.0.1:8080/hook' })).ok).toBe(true);
    expect(validateCommand(send({ status_callback: 'http://localhost/hook' })).ok).toBe(true);
  });

  it('reports every problem at once', () => {
    const error = errorOf({ type: 'send_group_message', numbers: ['bad'], send_style: 'x' });
    expect(error).toContain('numbers must be E.164');
    expect(error).toContain('content or media_url is required');
    expect(error).toContain('send_style');
  });
});

describe('validateCommand: modify_group', () => {
  it('accepts add, remove and rename', () => {
    expect(validateCommand(modify()).ok).toBe(true);
    expect(validateCommand(modify({ modify_type: 'remove_recipient', from_number: '+15550001111' })).ok).toBe(true);
    expect(validateCommand({ type: 'modify_group', group_id: 'g', modify_type: 'rename', name: 'Trip' }).ok).toBe(true);
  });

  it.each([
    [modify({ modify_type: 'leave', number: undefined }), 'Sendblue has no endpoint to leave a group'],
    [modify({ modify_type: 'kick' }), 'modify_type must be one of'],
    [modify({ number: '123' }), 'number is required for add_recipient and must be E.164'],
    [modify({ group_id: undefined }), 'group_id is required'],
    [{ type: 'modify_group', group_id: 'g', modify_type: 'rename', name: ' ' }, 'name is required for rename'],
    [
      { type: 'modify_group', group_id: 'g', modify_type: 'rename', name: 'x', number: '+15551230003' },
      'number is not used by rename',
    ],
    [modify({ name: 'x' }), 'name is only used by rename'],
    [modify({ content: 'x' }), 'unknown field "content"'],
  ])('rejects %j', (input, expected) => {
    expect(errorOf(JSON.parse(JSON.stringify(input)))).toContain(expected);
  });
});

const react = (extra: Record<string, unknown> = {}) => ({
  type: 'send_reaction',
  message_handle: '5B0E7C2A-91D4-4C3E-8F00-2A3B4C5D6E7F',
  reaction: 'love',
  ...extra,
});

describe('validateCommand: send_reaction', () => {
  it("accepts each of Sendblue's six reactions, with or without part_index and from_number", () => {
    for (const reaction of REACTIONS) expect(validateCommand(react({ reaction })).ok, reaction).toBe(true);
    const full = react({ command_id: 'r-1', part_index: 2, from_number: '+15550001111' });
    expect(validateCommand(full)).toEqual({ ok: true, command: full });
    expect(validateCommand(react({ part_index: 0 })).ok).toBe(true);
    expect(validateCommand(react({ part_index: MAX_PART_INDEX })).ok).toBe(true);
  });

  it.each([
    [react({ message_handle: undefined }), 'message_handle is required'],
    [react({ message_handle: '' }), 'message_handle must be 1 to 256 characters'],
    [react({ message_handle: 'h'.repeat(257) }), 'message_handle must be 1 to 256 characters'],
    [react({ message_handle: 'h\u0007' }), 'message_handle must not contain control characters'],
    [react({ message_handle: 7 }), 'message_handle must be a string'],
    [react({ reaction: 'heart' }), 'reaction must be one of love, like, dislike, laugh, emphasize, question'],
    [react({ reaction: 'Love' }), 'reaction must be one of'],
    [react({ reaction: undefined }), 'reaction must be one of'],
    [react({ part_index: -1 }), `part_index must be a whole number from 0 to ${MAX_PART_INDEX}`],
    [react({ part_index: 1.5 }), 'part_index must be a whole number'],
    [react({ part_index: MAX_PART_INDEX + 1 }), 'part_index must be a whole number'],
    [react({ part_index: '1' }), 'part_index must be a whole number'],
    [react({ part_index: null }), 'part_index must be a whole number'],
    [react({ from_number: '555' }), 'from_number must be an E.164'],
    [react({ group_id: 'g' }), 'unknown field "group_id" for send_reaction'],
    [react({ content: 'Loved it' }), 'unknown field "content" for send_reaction'],
  ])('rejects %j', (input, expected) => {
    expect(errorOf(JSON.parse(JSON.stringify(input)))).toContain(expected);
  });

  it('names the four command types when the type is unknown', () => {
    expect(errorOf({ type: 'send_tapback' })).toBe(
      'type must be "send_group_message", "modify_group", "send_reaction" or "set_contact_opt"',
    );
  });

  it('fingerprints what it asks for: the message, the reaction and the part', () => {
    const base = react() as GroupCommand;
    expect(commandFingerprint({ ...base, command_id: 'other' } as GroupCommand)).toBe(commandFingerprint(base));
    expect(commandFingerprint(react({ reaction: 'like' }) as GroupCommand)).not.toBe(commandFingerprint(base));
    expect(commandFingerprint(react({ part_index: 1 }) as GroupCommand)).not.toBe(commandFingerprint(base));
  });
});

describe('messageGroupIdFor a send_reaction', () => {
  it("is the message's group when the producer knows it, else the message handle", () => {
    const command = react() as GroupCommand;
    expect(messageGroupIdFor(command, 'sb_group_1')).toBe('sb_group_1');
    expect(messageGroupIdFor(command)).toBe('5B0E7C2A-91D4-4C3E-8F00-2A3B4C5D6E7F');
    // A handle SQS would not take as an id (spaces, non-ASCII) is hashed, stably.
    const odd = react({ message_handle: 'méssage één' }) as GroupCommand;
    expect(messageGroupIdFor(odd)).toMatch(/^message-[A-Za-z0-9_-]{43}$/);
    expect(messageGroupIdFor(odd)).toBe(messageGroupIdFor({ ...odd }));
  });
});

const contactOpt = (extra: Record<string, unknown> = {}) => ({
  type: 'set_contact_opt',
  number: '+15551230001',
  opted_out: true,
  ...extra,
});

describe('validateCommand: set_contact_opt', () => {
  it('accepts an opt-out and an opt-in, with or without command_id', () => {
    const out = contactOpt({ command_id: 'opt-1' });
    expect(validateCommand(out)).toEqual({ ok: true, command: out });
    expect(validateCommand(contactOpt({ opted_out: false })).ok).toBe(true);
  });

  it.each([
    [contactOpt({ number: undefined }), 'number is required (the contact to opt out or back in)'],
    [contactOpt({ number: '15551230001' }), 'number must be an E.164 number such as +15551230001'],
    [contactOpt({ number: '+1 5551230001' }), 'number must be an E.164 number'],
    [contactOpt({ number: '+0123456789' }), 'number must be an E.164 number'],
    [contactOpt({ number: '+１５５５１２３０００１' }), 'number must be an E.164 number'],
    [contactOpt({ number: '+15551230001\n' }), 'number must be an E.164 number'],
    [contactOpt({ number: 15551230001 }), 'number must be an E.164 number'],
    [contactOpt({ number: ['+15551230001'] }), 'number must be an E.164 number'],
    [
      contactOpt({ opted_out: undefined }),
      'opted_out is required: true to opt the contact out, false to opt it back in',
    ],
    [contactOpt({ opted_out: 'true' }), 'opted_out must be true or false (a JSON boolean)'],
    [contactOpt({ opted_out: 1 }), 'opted_out must be true or false'],
    [contactOpt({ opted_out: null }), 'opted_out must be true or false'],
    [contactOpt({ from_number: '+15550001111' }), 'unknown field "from_number" for set_contact_opt'],
    [contactOpt({ numbers: ['+15551230001'] }), 'unknown field "numbers" for set_contact_opt'],
    [contactOpt({ group_id: 'g' }), 'unknown field "group_id" for set_contact_opt'],
    [contactOpt({ command_id: 'has space' }), 'command_id must be 1-128 printable characters'],
  ])('rejects %j', (input, expected) => {
    expect(errorOf(JSON.parse(JSON.stringify(input)))).toContain(expected);
  });

  it('reports every problem at once: a bare type names both missing fields', () => {
    expect(errorOf({ type: 'set_contact_opt' })).toBe(
      'number is required (the contact to opt out or back in); opted_out is required: true to opt the contact out, false to opt it back in',
    );
  });

  it('fingerprints the number and the direction; queues under contact:<number>, in no group', () => {
    const out = contactOpt() as GroupCommand;
    expect(commandFingerprint({ ...out, command_id: 'x' } as GroupCommand)).toBe(commandFingerprint(out));
    expect(commandFingerprint(contactOpt({ opted_out: false }) as GroupCommand)).not.toBe(commandFingerprint(out));
    expect(messageGroupIdFor(out)).toBe('contact:+15551230001');
    expect(groupIdOf(out)).toBeUndefined();
  });
});

describe('validateCommand: anything else', () => {
  it.each([null, [], 'text', 5, {}, { type: 'send_message' }])('rejects %j with a clear message', (input) => {
    expect(errorOf(input)).toMatch(/JSON object|type must be/);
  });
});

describe('commandFingerprint', () => {
  const a = send({ command_id: 'one', numbers: ['+15551230001', '+15551230002'] }) as GroupCommand;
  it('ignores the command id and the order of numbers, but not the content', () => {
    expect(commandFingerprint({ ...a, command_id: 'two' })).toBe(commandFingerprint(a));
    expect(commandFingerprint({ ...a, numbers: ['+15551230002', '+15551230001'] } as GroupCommand)).toBe(
      commandFingerprint(a),
    );
    expect(commandFingerprint({ ...a, content: 'Hello!' } as GroupCommand)).not.toBe(commandFingerprint(a));
  });
});

describe('validateCommand on odd input (seeded fuzz)', () => {
  // A small deterministic generator: the same 500 cases on every run.
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const oddValues: unknown[] = [
    null,
    true,
    0,
    -1,
    1e309,
    '',
    ' ',
    'x'.repeat(20_000),
    [],
    [null],
    {},
    { a: 1 },
    '+15551230001',
    ['+15551230001'],
    'https://cdn.example.com/a.png',
    '\u0000',
    '__proto__',
  ];
  const base = [
    send({ numbers: ['+15551230001'] }),
    modify(),
    { type: 'modify_group', group_id: 'g', modify_type: 'rename', name: 'n' },
    react({ part_index: 1 }),
  ];

  it('never throws, and whatever it accepts is accepted again unchanged', () => {
    for (let i = 0; i < 500; i += 1) {
      const command: Record<string, unknown> = JSON.parse(JSON.stringify(base[i % base.length]));
      const keys = [
        ...Object.keys(command),
        'numbers',
        'content',
        'media_url',
        'send_style',
        'status_callback',
        'command_id',
        'name',
        'number',
        'message_handle',
        'reaction',
        'part_index',
        'extra',
      ];
      for (let j = 0; j < 1 + Math.floor(random() * 3); j += 1) {
        const key = keys[Math.floor(random() * keys.length)]!;
        if (random() < 0.2) delete command[key];
        else command[key] = oddValues[Math.floor(random() * oddValues.length)];
      }
      const result = validateCommand(command);
      if (result.ok) expect(validateCommand(JSON.parse(JSON.stringify(result.command)))).toEqual(result);
      else expect(result.error.length).toBeGreaterThan(0);
    }
  });
});
