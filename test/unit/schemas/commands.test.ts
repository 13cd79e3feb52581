/**
 * schemas/command.json against the sender's own validator (`validateCommand`): every example in the
 * README and in the fixtures, and a seeded fuzz of bodies at the edges of every rule, get the same
 * answer from both, with the one documented exception (URL spellings: schemas/README.md). The same
 * bodies then go through Python's jsonschema, which must answer as ajv does.
 * SCHEMA_FUZZ_SEED=<n> replays a seed; SCHEMA_FUZZ_COUNT=<n> changes the number of bodies.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../../lambdas/contract/commands.js';
import { checkCallableUrl, checkMediaUrl } from '../../../lambdas/contract/sendblue-rules.js';
import { commandBody } from '../../support/command-bodies.js';
import { mulberry32 } from '../../support/fuzz.js';
import { jsonObjectsInMarkdown, readme } from '../../support/markdown-json.js';
import { PYTHON, pythonMissing } from '../../support/python.js';
import { loadSchema, newAjv, SCHEMAS_URL, validatorFor } from '../../support/schemas.js';

const SEED = Number(process.env.SCHEMA_FUZZ_SEED) || 20261205;
const COUNT = Number(process.env.SCHEMA_FUZZ_COUNT) || 6000;
const replay = `seed ${SEED} (SCHEMA_FUZZ_SEED=${SEED} to replay)`;

const schema = validatorFor('command.json');
/** Every command type command.json knows (a new one is covered here without an edit). */
const COMMAND_TYPES = (loadSchema('command.json').properties as { type: { enum: string[] } }).type.enum;

/** The schema's own URL rules, alone. */
const ajv = newAjv();
ajv.addSchema(loadSchema('command.json'));
const schemaUrlRule = {
  media_url: ajv.compile({ $ref: 'https://sendblue-groups.dev/schemas/command.json#/$defs/media_url' }),
  status_callback: ajv.compile({ $ref: 'https://sendblue-groups.dev/schemas/command.json#/$defs/callable_url' }),
};
const senderUrlRule = { media_url: checkMediaUrl, status_callback: checkCallableUrl };
const PLAIN_URL = { media_url: 'https://cdn.example.com/a.png', status_callback: 'https://example.com/hook' };

/**
 * The documented exception: the sender takes a URL spelling the schema does not (the schema takes
 * one plain ASCII form). True when that is the only difference: with each such URL replaced by a
 * plain one, schema and sender agree.
 */
function onlyUrlSpellingsDiffer(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const replaced: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  let found = false;
  for (const field of ['media_url', 'status_callback'] as const) {
    const value = replaced[field];
    if (typeof value !== 'string') continue;
    if (!schemaUrlRule[field](value) && senderUrlRule[field](value) === undefined) {
      replaced[field] = PLAIN_URL[field];
      found = true;
    }
  }
  return found && schema(replaced) === validateCommand(replaced).ok;
}

function expectBoth(command: unknown, accepted: boolean, what: string): void {
  const sender = validateCommand(command);
  expect(
    sender.ok,
    `${what}: validateCommand ${sender.ok ? 'accepts' : `refuses (${!sender.ok && sender.error})`}`,
  ).toBe(accepted);
  expect(schema(command), `${what}: the schema ${accepted ? 'refuses' : 'accepts'} it: ${schema.errors}`).toBe(
    accepted,
  );
}

const fixtures = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/commands/${name}`, import.meta.url), 'utf8')) as Array<{
    why: string;
    command: unknown;
  }>;

describe('command.json and validateCommand agree on the examples', () => {
  it("every command in the README's JSON examples is valid for both", () => {
    const { objects, unparsed } = jsonObjectsInMarkdown(readme());
    // An excerpt that is not JSON (with `…`) is fine, but not for a command: a producer copies those.
    expect(unparsed.filter((text) => COMMAND_TYPES.some((type) => text.includes(`"${type}"`)))).toEqual([]);
    const commands = objects.filter((object) => COMMAND_TYPES.includes(String(object.type)) && !('event_id' in object));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const command of commands) expectBoth(command, true, JSON.stringify(command).slice(0, 80));
  });

  it('every valid fixture is valid for both, every invalid one invalid for both (with the reason the fixture names)', () => {
    for (const { why, command } of fixtures('valid.json')) expectBoth(command, true, why);
    for (const { why, command } of fixtures('invalid.json')) {
      expectBoth(command, false, why);
      const result = validateCommand(command);
      expect(!result.ok && result.error, why).toContain(why);
    }
  });

  it('each command type has its own file that says the same as the union', () => {
    for (const { command } of [...fixtures('valid.json'), ...fixtures('invalid.json')]) {
      const type = (command as { type?: unknown }).type;
      if (typeof type !== 'string' || !COMMAND_TYPES.includes(type)) continue;
      expect(validatorFor(`commands/${type}.json`)(command), JSON.stringify(command).slice(0, 80)).toBe(
        schema(command),
      );
    }
  });
});

describe('where they differ: URL spellings (schemas/README.md)', () => {
  it.each([
    'https:cdn.example.com/a.png',
    'HTTPS://cdn.example.com/a.png',
    'https://cdn.example.com\\a.png',
    'https://cdn.example.com/a b.png',
    ' https://cdn.example.com/a.png',
    'https://cdn.example.com/a.p\tng',
    'https://xn--mnchen-3ya.de/a.png',
    'https://[2001:db8::1]/a.png',
    'https://a_b.example.com/a.png',
    'https://@cdn.example.com/a.png',
    'http://LOCALHOST/a.png',
    'http://127.1/a.png',
  ])('%j: the sender takes it, the schema does not', (url) => {
    const command = { type: 'send_group_message', group_id: 'g', media_url: url };
    expect(validateCommand(command).ok).toBe(true);
    expect(schema(command)).toBe(false);
    expect(onlyUrlSpellingsDiffer(command)).toBe(true);
  });
});

describe(`command.json and validateCommand agree on ${COUNT} fuzzed bodies (${replay})`, () => {
  const random = mulberry32(SEED);
  const bodies = Array.from({ length: COUNT }, () => commandBody(random));
  console.log(`schemas fuzz: ${COUNT} command bodies, ${replay}`);

  it('accept and refuse the same bodies, but for URL spellings only the sender takes', () => {
    const tally = { bothAccept: 0, bothRefuse: 0, urlSpelling: 0 };
    const disagreements: string[] = [];
    for (const body of bodies) {
      const bySchema = schema(body);
      const bySender = validateCommand(body);
      if (bySchema === bySender.ok) tally[bySchema ? 'bothAccept' : 'bothRefuse'] += 1;
      else if (!bySchema && onlyUrlSpellingsDiffer(body)) tally.urlSpelling += 1;
      else
        disagreements.push(
          `schema ${bySchema ? 'accepts' : 'refuses'}, sender ${bySender.ok ? 'accepts' : `refuses (${!bySender.ok && bySender.error.slice(0, 160)})`}: ${JSON.stringify(body).slice(0, 300)}`,
        );
    }
    console.log(`schemas fuzz (${replay}): ${JSON.stringify(tally)}, ${disagreements.length} disagreements`);
    expect(disagreements.slice(0, 5), replay).toEqual([]);
    // Both sides of every rule are reached: neither answer dominates.
    expect(tally.bothAccept, replay).toBeGreaterThan(COUNT * 0.15);
    expect(tally.bothRefuse, replay).toBeGreaterThan(COUNT * 0.15);
  });

  const missing = pythonMissing(['jsonschema']);
  if (missing) console.warn(`commands.test.ts: the Python check is skipped: ${missing}`);
  it.skipIf(missing !== undefined)(
    "Python's jsonschema answers as ajv does for every body",
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'schemas-python-'));
      try {
        const documents = join(dir, 'bodies.jsonl');
        writeFileSync(documents, `${bodies.map((body) => JSON.stringify(body)).join('\n')}\n`);
        const run = spawnSync(
          PYTHON,
          [
            fileURLToPath(new URL('../../support/python-validate.py', import.meta.url)),
            fileURLToPath(new URL('command.json', SCHEMAS_URL)),
            documents,
          ],
          { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        );
        expect(run.status, run.stderr.slice(-2000)).toBe(0);
        const answers = run.stdout.trim().split('\n');
        expect(answers).toHaveLength(bodies.length);
        const differ = bodies
          .map((body, i) => ({ body, python: answers[i] === '1', ajv: schema(body) }))
          .filter(({ python, ajv }) => python !== ajv)
          .map(({ body, python }) => `python ${python ? 'accepts' : 'refuses'}: ${JSON.stringify(body).slice(0, 300)}`);
        expect(differ.slice(0, 5), replay).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
