/**
 * The committed schema files: exactly what `npm run schemas` writes now (so a changed limit in the
 * contract cannot leave them behind), each a draft 2020-12 schema that compiles in ajv's strict
 * mode, stands alone (no reference leaves the file), and refuses something (it is not `{}`).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { schemaFiles, staleFiles } from '../../../schemas/generate.js';
import { loadSchema, newAjv, SCHEMAS_URL, validatorFor } from '../../support/schemas.js';

const dir = fileURLToPath(SCHEMAS_URL);
const onDisk = (folder: string): string[] =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === 'source' ? [] : onDisk(path);
    return name.endsWith('.json') ? [relative(dir, path)] : [];
  });

/** One wrong answer per file: each must be refused, each by a rule of its own. */
const INVALID: Record<string, unknown> = {
  'command.json': { type: 'send_group_message', group_id: 'g' },
  'commands/send_group_message.json': { type: 'send_group_message', group_id: 'g', content: 'x', extra: 1 },
  'commands/modify_group.json': { type: 'modify_group', group_id: 'g', modify_type: 'leave' },
  'commands/send_reaction.json': { type: 'send_reaction', message_handle: 'm', reaction: 'wow' },
  'commands/set_contact_opt.json': { type: 'set_contact_opt', number: '+15551230001', opted_out: 'yes' },
  'reads/group.json': {
    group_id: 'g',
    members: 'x',
    name: null,
    created_at: null,
    updated_at: null,
    last_message_at: null,
  },
  'reads/messages-page.json': { messages: [{ message_handle: 'm' }], next_cursor: null },
  'reads/message.json': { message_handle: 'm', status_history: [] },
  'reads/contact.json': { number: '15551230001', opted_out: 'yes' },
  'reads/contacts-page.json': { contacts: [{ number: '+15551230001' }], next_cursor: null },
  'reads/command.json': {
    command_id: 'c',
    type: 'send_group_message',
    state: 'done',
    group_id: null,
    message_handle: null,
    error: null,
    fingerprint: null,
    refused_reuses: [],
    failures: 0,
    next_attempt_at: null,
  },
  'reads/health.json': { ok: 'yes' },
  'reads/error.json': { error: '' },
  'reads/sandbox-groups.json': { groups: [{ group_id: 'g' }], failed: [] },
  'reads/sandbox-group-changes.json': { changes: [{ at: 'x', added: ['not a number'], removed: [] }], events: true },
  'reads/sandbox-events.json': { events: [{ version: '1' }], last_seq: 0 },
  'events/event.json': { version: '0', source: 'someone-else', detail: {} },
  'events/group-message-received.json': { version: '0', 'detail-type': 'Command Settled' },
  'events/message-status-changed.json': { detail: { event_id: '' } },
  'events/command-settled.json': { detail: { state: 'queued' } },
  'events/group-changed.json': { detail: { members: 'x' } },
  'events/group-reaction-received.json': { detail: { reaction: 'love', part_index: -1 } },
  'events/contact-opted-out.json': { detail: { opted_out: false } },
  'events/contact-opted-in.json': { detail: { opted_out: true, by: 'declined' } },
};

describe('the schema files', () => {
  it('are exactly what npm run schemas writes now', () => {
    expect(staleFiles(), 'run `npm run schemas` and commit the files').toEqual([]);
    expect(onDisk(dir).sort(), 'a schema file no source writes').toEqual(Object.keys(schemaFiles()).sort());
  });

  it.each(Object.keys(schemaFiles()))(
    '%s: draft 2020-12, an $id under the base, strict-compilable, standing alone',
    (path) => {
      const schema = loadSchema(path);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`https://sendblue-groups.dev/schemas/${path}`);
      expect(typeof schema.title).toBe('string');
      expect(typeof schema.description).toBe('string');
      expect(() => newAjv().compile(schema)).not.toThrow();
      const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]*)"/g)].map(([, ref]) => ref);
      expect(refs.filter((ref) => !ref!.startsWith('#/'))).toEqual([]);
    },
  );

  it.each(Object.keys(schemaFiles()))('%s refuses its wrong example', (path) => {
    expect(Object.keys(INVALID), 'give every schema file a wrong example here').toContain(path);
    expect(validatorFor(path)(INVALID[path])).toBe(false);
  });
});
