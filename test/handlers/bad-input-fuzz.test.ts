/**
 * DESIGN.md §7: bad input never crashes a handler, never stores anything, never answers 5xx.
 * (Read routes too: odd ids, limits and cursors answer 400/404.)
 * Seeded random mutations of the documented payloads (same cases on every run) go through the
 * real ingest handler and DynamoDB Local; each answer must be 200 or a 4xx, and a 4xx stores nothing.
 */
import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { createReadHandler } from '../../lambdas/handlers/read';
import { silentLogger } from '../../lambdas/shared/logger';
import { staticSecretSource } from '../../lambdas/shared/secrets';
import { apiEvent, fixture } from './events';
import { freshTable } from './table-for-test';

// Secrets Manager has no local stand-in: a fixed secret value is used.
const secrets = staticSecretSource({ webhookSecret: 'fuzz', apiKeyId: 'k', apiSecretKey: 's' });

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * 12);
  switch (pick) {
    case 0: return null;
    case 1: return '';
    case 2: return random() < 0.5;
    case 3: return Math.floor(random() * 1e6) - 5e5;
    case 4: return random() * 1e308;
    case 5: return 'x'.repeat(Math.floor(random() * 2000));
    case 6: return '😀\u0000\u202e#%/'.repeat(1 + Math.floor(random() * 50));
    case 7: return new Date(Math.floor(random() * 8e15) - 4e15).toString();
    case 8: return depth > 3 ? [] : Array.from({ length: Math.floor(random() * 5) }, () => randomValue(random, depth + 1));
    case 9: return depth > 3 ? {} : { [String(random())]: randomValue(random, depth + 1), '': 1 };
    case 10: return ['+14155550123', '', '+1'];
    default: return `+1${Math.floor(random() * 1e10)}`;
  }
}

function mutate(base: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...base, message_handle: `fuzz-${random().toString(36).slice(2)}` };
  for (const key of Object.keys(payload)) {
    const roll = random();
    if (roll < 0.06) delete payload[key];
    else if (roll < 0.12) payload[key] = randomValue(random);
  }
  if (random() < 0.3) payload[String(randomValue(random))] = randomValue(random);
  return payload;
}

describe('bad input', () => {
  it('is answered 200 or 4xx, never 5xx, and a 4xx stores nothing (300 seeded cases)', async () => {
    const { store } = await freshTable();
    const ingest = createIngestHandler({ store, secrets, logger: silentLogger });
    const random = mulberry32(20261128);
    const bases = [fixture('receive-group.json'), fixture('status-callback.json'), fixture('send-group-message-response.json')];
    const answers: Record<number, number> = {};
    for (let i = 0; i < 300; i += 1) {
      const payload = mutate(bases[i % bases.length]!, random);
      const route = random() < 0.5 ? 'receive' : 'status';
      const result = await ingest(apiEvent({ method: 'POST', path: `/webhooks/${route}`, headers: { 'sb-signing-secret': 'fuzz' }, body: JSON.stringify(payload) }));
      answers[result.statusCode ?? 0] = (answers[result.statusCode ?? 0] ?? 0) + 1;
      expect([200, 400], JSON.stringify(payload).slice(0, 500)).toContain(result.statusCode);
      expect(JSON.parse(result.body ?? '{}')).toEqual(expect.any(Object));
      if (result.statusCode === 400 && typeof payload.message_handle === 'string') {
        expect(await store.getMessageWithHistory(payload.message_handle)).toBeUndefined();
      }
    }
    // The mutations must exercise both outcomes, or the test proves little.
    expect(answers[200]).toBeGreaterThan(75);
    expect(answers[400]).toBeGreaterThan(75);
  }, 60_000);
});

describe('bad read parameters', () => {
  it('are answered 200, 400 or 404 with a JSON body, never 5xx', async () => {
    const { store } = await freshTable();
    const read = createReadHandler({ store, logger: silentLogger });
    const random = mulberry32(42);
    const ids = ['😀'.repeat(256), 'a'.repeat(257), '%00', 'GROUP#x', '#', ' ', 'MSG#', '..', 'x\u0000y'];
    const queries: Array<Record<string, string>> = [{ limit: '-1' }, { limit: '1e2' }, { limit: '50.5' }, { order: 'ASC' }, { cursor: '' }, { cursor: 'e30' }, { cursor: 'x'.repeat(3000) }, { cursor: Buffer.from('{"PK":"MSG#a","SK":"MSG","GSI1PK":"GROUP#other","GSI1SK":"x"}').toString('base64url') }];
    for (let i = 0; i < 120; i += 1) {
      const id = ids[Math.floor(random() * ids.length)]!;
      const path = ['/groups/ID', '/groups/ID/messages', '/messages/ID', '/commands/ID'][i % 4]!.replace('ID', id);
      const query = path.endsWith('/messages') ? queries[Math.floor(random() * queries.length)] : undefined;
      const event = apiEvent({ method: 'GET', path, query });
      const result = await read(event);
      expect([200, 400, 404], `${path} ${JSON.stringify(query)}`).toContain(result.statusCode);
      expect(JSON.parse(result.body ?? '')).toEqual(expect.any(Object));
    }
  });
});
