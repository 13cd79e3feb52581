import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { MediaFetchError, type MediaFetcher } from '../media/ports.js';

type Lookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface MediaFetcherOptions {
  /** Largest copy, bytes; a larger file is refused for good. */
  maxBytes: number;
  /** The whole download (redirects included), ms. */
  timeoutMs: number;
  /**
   * SANDBOX ONLY: also allow plain http to loopback addresses (the simulator serves media on
   * 127.0.0.1). Private and link-local addresses stay refused.
   * @default false
   */
  allowLoopbackHttp?: boolean;
  /** @default 3 */
  maxRedirects?: number;
  /** DNS, for tests. @default dns.lookup */
  lookup?: Lookup;
}

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) one. */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  const quad = (from: number) => Array.from(bytes.subarray(from, from + 4)).join('.');
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((byte) => byte === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return quad(12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return quad(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return quad(2);
  return undefined;
}

function ipv6Bytes(address: string): Uint8Array | undefined {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = text.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  if (all.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  all.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** True for an address on the public internet (not private, loopback, link-local, reserved...). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NON_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  const inner = embeddedIpv4(address);
  if (inner !== undefined) return isPublicAddress(inner);
  return !NON_PUBLIC.check(address, 'ipv6');
}

const isLoopback = (address: string) => {
  const inner = isIP(address) === 6 ? embeddedIpv4(address) : undefined;
  const plain = inner ?? address;
  return LOOPBACK.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
};

const refuse = (message: string) => new MediaFetchError(message, true);

/**
 * Downloads a `media_url` that arrived in a webhook, which anyone able to reach the webhook could
 * have chosen: so https only, never an address inside a network (private, loopback, link-local,
 * the instance metadata service...), checked on the address actually connected to (every DNS
 * answer is checked inside the socket's own lookup, so a name cannot resolve twice differently),
 * again on every redirect; at most `maxBytes`, within `timeoutMs` in all.
 */
export function createMediaFetcher(options: MediaFetcherOptions): MediaFetcher {
  const { maxBytes, timeoutMs, allowLoopbackHttp = false, maxRedirects = 3 } = options;
  const resolve: Lookup =
    options.lookup ?? ((hostname, lookupOptions, callback) => dnsLookup(hostname, lookupOptions, callback));

  /** Which addresses a URL of this protocol may connect to. */
  const allowed = (protocol: string) => (address: string) =>
    protocol === 'https:'
      ? isPublicAddress(address) || (allowLoopbackHttp && isLoopback(address))
      : isLoopback(address);

  function checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse('media_url is not a URL');
    }
    if (url.protocol !== 'https:' && !(allowLoopbackHttp && url.protocol === 'http:'))
      throw refuse(`media_url must use https (got ${url.protocol.replace(':', '')})`);
    if (url.username || url.password) throw refuse('media_url must not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !allowed(url.protocol)(host))
      throw refuse('media_url points to an address that is not on the public internet');
    return url;
  }

  return async function fetchMedia(raw) {
    const deadline = AbortSignal.timeout(timeoutMs);
    let url = checkUrl(raw);
    for (let hop = 0; ; hop += 1) {
      const response = await get(url, allowed(url.protocol), deadline);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (hop >= maxRedirects) throw refuse(`more than ${maxRedirects} redirects`);
        url = checkUrl(new URL(response.headers.location, url).href);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        // 4xx (but 408 and 429) will not change: the file is gone, or the link expired.
        const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
        throw new MediaFetchError(`the media origin answered ${status}`, permanent);
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.destroy();
        throw refuse(`the file is larger than ${maxBytes} bytes (${declared})`);
      }
      return { body: await readCapped(response, maxBytes, deadline), contentType: response.headers['content-type'] };
    }
  };

  function get(url: URL, isAllowed: (address: string) => boolean, deadline: AbortSignal): Promise<IncomingMessage> {
    // Every address a name resolves to must be allowed, and the socket connects to one of them.
    const lookup = (hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      resolve(hostname, { all: true }, (error, addresses) => {
        if (error) return callback(error);
        const refused = addresses.find((entry) => !isAllowed(entry.address));
        if (refused || !addresses.length)
          return callback(refuse(`${hostname} resolves to an address that is not on the public internet`));
        if (lookupOptions.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolvePromise, reject) => {
      const request = client.get(
        url,
        {
          lookup: lookup as never,
          signal: deadline,
          headers: { accept: '*/*', 'accept-encoding': 'identity', 'user-agent': 'sendblue-groups-media' },
        },
        resolvePromise,
      );
      request.once('error', (error) => reject(toFetchError(error, deadline)));
    });
  }
}

function toFetchError(error: unknown, deadline: AbortSignal): Error {
  if (error instanceof MediaFetchError) return error;
  if (deadline.aborted) return new MediaFetchError('the media download timed out', false);
  const code = (error as NodeJS.ErrnoException).code;
  // The name does not exist: a retry in a minute will not make it exist.
  if (code === 'ENOTFOUND') return refuse('the media host does not exist (DNS)');
  return new MediaFetchError(
    `the media download failed (${code ?? (error instanceof Error ? error.message : 'error')})`,
    false,
  );
}

function readCapped(response: IncomingMessage, maxBytes: number, deadline: AbortSignal): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      response.destroy();
      reject(error);
    };
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(refuse(`the file is larger than ${maxBytes} bytes`));
      chunks.push(chunk);
    });
    response.once('end', () => {
      if (settled) return;
      settled = true;
      resolvePromise(Buffer.concat(chunks));
    });
    response.once('error', (error) => fail(toFetchError(error, deadline)));
    // Cut mid-body (or by the deadline): 'close' without 'end'.
    response.once('close', () =>
      fail(toFetchError(new Error('the connection closed before the file ended'), deadline)),
    );
  });
}
