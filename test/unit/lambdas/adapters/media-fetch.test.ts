/**
 * The guarded media download (media-fetch.ts) against real HTTP servers on loopback: what the
 * sandbox policy (loopback http allowed) does with sizes, time, redirects and errors, and that the
 * AWS policy refuses every address inside a network, also when a name resolves there, also
 * after a redirect. DNS answers are the test's own (a resolver is the one thing not run locally).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaFetcher } from '../../../../lambdas/adapters/media-fetch.js';
import { MediaFetchError } from '../../../../lambdas/media/ports.js';

let server: Server;
let base: string;
let hits = 0;
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('picture')),
  '/big': (_req, res) => res.writeHead(200, { 'content-length': String(2048) }).end(Buffer.alloc(2048)),
  // No content-length: the cap is enforced while reading.
  '/chunked-big': (_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4' });
    for (let i = 0; i < 8; i += 1) res.write(Buffer.alloc(256));
    res.end();
  },
  '/slow': (_req, res) => {
    res.writeHead(200);
    res.write('a');
    setTimeout(() => res.end('b'), 2_000).unref();
  },
  '/gone': (_req, res) => res.writeHead(404).end(),
  '/busy': (_req, res) => res.writeHead(503).end(),
  '/throttled': (_req, res) => res.writeHead(429).end(),
  '/redirect': (_req, res) => res.writeHead(302, { location: '/ok.png' }).end(),
  '/redirect-loop': (_req, res) => res.writeHead(302, { location: '/redirect-loop' }).end(),
  '/redirect-metadata': (_req, res) =>
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  '/redirect-private': (_req, res) => res.writeHead(301, { location: 'http://10.0.0.7/x.png' }).end(),
  '/cut': (req) => req.socket.destroy(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    hits += 1;
    (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sandbox = createMediaFetcher({ maxBytes: 1024, timeoutMs: 1_000, allowLoopbackHttp: true });

async function failure(promise: Promise<unknown>): Promise<MediaFetchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaFetchError);
  return error as MediaFetchError;
}

describe('downloads (sandbox policy: loopback http allowed)', () => {
  it('returns the bytes and the content type; follows a redirect', async () => {
    expect(await sandbox(`${base}/ok.png`)).toEqual({ body: Buffer.from('picture'), contentType: 'image/png' });
    expect((await sandbox(`${base}/redirect`)).body.toString()).toBe('picture');
  });

  it('refuses a file over the cap, declared or not, for good', async () => {
    expect(await failure(sandbox(`${base}/big`))).toMatchObject({
      permanent: true,
      message: expect.stringMatching(/larger than 1024 bytes/),
    });
    expect(await failure(sandbox(`${base}/chunked-big`))).toMatchObject({ permanent: true });
  });

  it('gives up at the deadline; a timeout may pass (not permanent)', async () => {
    const started = Date.now();
    expect(await failure(sandbox(`${base}/slow`))).toMatchObject({
      permanent: false,
      message: 'the media download timed out',
    });
    expect(Date.now() - started).toBeLessThan(1_900);
  });

  it('4xx is permanent (gone, link expired), 5xx, 429 and a cut connection may pass', async () => {
    expect(await failure(sandbox(`${base}/gone`))).toMatchObject({
      permanent: true,
      message: 'the media origin answered 404',
    });
    expect(await failure(sandbox(`${base}/busy`))).toMatchObject({ permanent: false });
    expect(await failure(sandbox(`${base}/throttled`))).toMatchObject({ permanent: false });
    expect(await failure(sandbox(`${base}/cut`))).toMatchObject({ permanent: false });
  });

  it('stops after 3 redirects; refuses a redirect to a private or link-local address without connecting there', async () => {
    expect(await failure(sandbox(`${base}/redirect-loop`))).toMatchObject({
      permanent: true,
      message: 'more than 3 redirects',
    });
    expect(await failure(sandbox(`${base}/redirect-metadata`))).toMatchObject({
      permanent: true,
      message: expect.stringMatching(/not on the public internet/),
    });
    expect(await failure(sandbox(`${base}/redirect-private`))).toMatchObject({ permanent: true });
  });

  it('still refuses private and link-local addresses, other schemes and credentials in the URL', async () => {
    for (const url of [
      'http://10.1.2.3/a.png',
      'http://169.254.169.254/',
      'http://[fd00:ec2::254]/',
      'ftp://127.0.0.1/a',
      'file:///etc/passwd',
      `http://user:pw@127.0.0.1:1/a`,
      'not a url',
    ]) {
      expect((await failure(sandbox(url))).permanent, url).toBe(true);
    }
  });
});

describe('the AWS policy: https to public addresses only', () => {
  const resolvesTo = (address: string, family = 4) =>
    createMediaFetcher({
      maxBytes: 1024,
      timeoutMs: 1_000,
      lookup: (_host, _options, callback) => callback(null, [{ address, family }]),
    });

  it('refuses plain http, also to loopback (the sandbox allowance is off)', async () => {
    const before = hits;
    const error = await failure(resolvesTo('93.184.216.34')(`${base}/ok.png`));
    expect(error).toMatchObject({ permanent: true, message: 'media_url must use https (got http)' });
    expect(hits).toBe(before);
  });

  it.each([['127.0.0.1'], ['10.0.0.5'], ['169.254.169.254'], ['::1'], ['fd00:ec2::254'], ['::ffff:127.0.0.1']])(
    'refuses a name that resolves to %s, before connecting',
    async (address) => {
      const error = await failure(
        resolvesTo(address, address.includes(':') ? 6 : 4)('https://media.example.com/a.png'),
      );
      expect(error).toMatchObject({
        permanent: true,
        message: 'media.example.com resolves to an address that is not on the public internet',
      });
    },
  );

  it('refuses when any of the answers is private (a name cannot hide one among public ones)', async () => {
    const fetcher = createMediaFetcher({
      maxBytes: 1024,
      timeoutMs: 1_000,
      lookup: (_host, _options, callback) =>
        callback(null, [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]),
    });
    expect((await failure(fetcher('https://media.example.com/a.png'))).permanent).toBe(true);
  });

  it('refuses literal internal addresses in https URLs', async () => {
    for (const url of [
      'https://127.0.0.1/a',
      'https://[::1]/a',
      'https://169.254.169.254/latest',
      'https://192.168.0.1/x',
    ]) {
      expect(await failure(resolvesTo('93.184.216.34')(url)), url).toMatchObject({ permanent: true });
    }
  });

  it('a name that does not exist is refused for good', async () => {
    const fetcher = createMediaFetcher({
      maxBytes: 1024,
      timeoutMs: 1_000,
      lookup: (_host, _options, callback) =>
        callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), []),
    });
    expect(await failure(fetcher('https://nowhere.example/a.png'))).toMatchObject({
      permanent: true,
      message: 'the media host does not exist (DNS)',
    });
  });
});
