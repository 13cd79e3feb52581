/**
 * The schemas' building blocks against the contract's JavaScript they restate: what `trim()`
 * removes, lengths in UTF-16 units, and the URL rule, whose every accepted URL the sender must
 * accept too (the schema takes one plain form; the sender's WHATWG parser takes more spellings).
 * SCHEMA_FUZZ_SEED=<n> replays a seed.
 */
import { describe, expect, it } from 'vitest';
import { checkCallableUrl, checkMediaUrl } from '../../../lambdas/contract/sendblue-rules.js';
import { NOT_BLANK, utf16Length } from '../../../schemas/source/common.js';
import { urlEdge } from '../../support/command-bodies.js';
import { int, mulberry32, pick } from '../../support/fuzz.js';
import { loadSchema, newAjv } from '../../support/schemas.js';

const SEED = Number(process.env.SCHEMA_FUZZ_SEED) || 20261205;
const replay = `seed ${SEED} (SCHEMA_FUZZ_SEED=${SEED} to replay)`;

describe('not blank', () => {
  it('holds a character trim() keeps, for every BMP character (ECMAScript with the u flag, as ajv reads it)', () => {
    const notBlank = new RegExp(NOT_BLANK, 'u');
    const differ: string[] = [];
    for (let code = 0; code <= 0xffff; code += 1) {
      const char = String.fromCharCode(code);
      if (notBlank.test(char) !== (char.trim() !== '')) differ.push(code.toString(16));
    }
    expect(differ).toEqual([]);
  });
});

describe('length in UTF-16 units', () => {
  const ajv = newAjv();
  const fits = ajv.compile({ type: 'string', ...utf16Length(8) });

  it.each([
    ['', true],
    ['abcdefgh', true],
    ['abcdefghi', false],
    ['😀😀😀😀', true],
    ['😀😀😀😀a', false],
    ['abcdef😀', true],
    ['abcdefg😀', false],
    ['\ud800'.repeat(8), true],
  ])('%j: %s', (text, expected) => {
    expect(text.length <= 8).toBe(expected);
    expect(fits(text)).toBe(expected);
  });

  it(`agrees with .length on random mixes (${replay})`, () => {
    const random = mulberry32(SEED);
    const alphabet = ['a', 'é', '😀', '👩🏽‍💻', '\ud800', '\udc00', '中'];
    for (let i = 0; i < 2000; i += 1) {
      const text = Array.from({ length: int(random, 9) }, () => pick(random, alphabet)).join('');
      expect(fits(text), `${JSON.stringify(text)} ${replay}`).toBe(text.length <= 8);
    }
  });
});

describe('URLs: whatever the schema accepts, the sender accepts', () => {
  const ajv = newAjv();
  ajv.addSchema(loadSchema('command.json'));
  const rules = [
    {
      name: 'media_url',
      schema: ajv.compile({ $ref: 'https://sendblue-groups.dev/schemas/command.json#/$defs/media_url' }),
      sender: checkMediaUrl,
    },
    {
      name: 'status_callback',
      schema: ajv.compile({ $ref: 'https://sendblue-groups.dev/schemas/command.json#/$defs/callable_url' }),
      sender: checkCallableUrl,
    },
  ];

  it.each([
    ['https://cdn.example.com/a.png', true, true],
    ['https://cdn.example.com:8443/dir/photo.JPEG?size=2#x', true, true],
    ['http://localhost:4010/m.jpg', true, true],
    ['http://[::1]/hook', false, true],
    ['https://1.2.3.4/a.png', true, true],
    ['https://x.999/a.png', false, false],
    ['https://xn--a.com/a.png', false, false],
    ['https://cdn.example.com/a.png/..', false, true],
    ['https://cdn.example.com/image', false, true],
    ['http://example.com/hook', false, false],
    ['https://user:pw@example.com/a.png', false, false],
    ['https://cdn.example.com/a.png\n', false, false],
    ['https://cdn.example.com:65536/a.png', false, false],
  ])('%j: media %s, callback %s', (url, media, callback) => {
    expect(rules[0]!.schema(url)).toBe(media);
    expect(rules[1]!.schema(url)).toBe(callback);
  });

  it(`for 20,000 URLs in plain and odd spellings (${replay})`, () => {
    const random = mulberry32(SEED);
    const tally = { schemaAccepts: 0, onlySenderAccepts: 0, bothRefuse: 0 };
    const wrong: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const url = urlEdge(random);
      for (const rule of rules) {
        const bySender = rule.sender(url) === undefined;
        if (rule.schema(url)) {
          tally.schemaAccepts += 1;
          if (!bySender) wrong.push(`${rule.name} ${JSON.stringify(url)}: ${rule.sender(url)}`);
        } else tally[bySender ? 'onlySenderAccepts' : 'bothRefuse'] += 1;
      }
    }
    console.log(`schemas URL fuzz (${replay}): ${JSON.stringify(tally)}`);
    expect(wrong.slice(0, 5), replay).toEqual([]);
    expect(tally.schemaAccepts).toBeGreaterThan(1000);
  });
});
