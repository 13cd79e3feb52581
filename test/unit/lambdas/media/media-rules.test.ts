import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../../../lambdas/adapters/media-fetch.js';
import { createS3LinkSigner, objectPath } from '../../../../lambdas/adapters/s3-link-signer.js';
import {
  contentDispositionFor,
  contentTypeOf,
  fileNameFromUrl,
  keySegment,
  mediaCopyFor,
  mediaObjectKey,
} from '../../../../lambdas/media/media-rules.js';
import type { TableChange } from '../../../../lambdas/events/table-change.js';

const insert = (newImage: Record<string, unknown>, pk = 'MSG#m-1', sk = 'MSG'): TableChange => ({
  eventId: 'e',
  kind: 'INSERT',
  pk,
  sk,
  newImage,
  sequenceNumber: '1',
});
const inbound = {
  direction: 'inbound',
  group_id: 'sb_group_8d1e',
  media_url: 'https://cdn.sendblue.co/files/IMG_0042.HEIC?sig=abc',
};

describe('which media is copied (media-rules.ts)', () => {
  it('the media_url of an inbound message, when it is inserted', () => {
    expect(mediaCopyFor(insert(inbound))).toEqual({
      messageHandle: 'm-1',
      groupId: 'sb_group_8d1e',
      mediaUrl: inbound.media_url,
    });
    // 1:1 messages are kept too (under media/_direct/).
    expect(mediaCopyFor(insert({ ...inbound, group_id: undefined }))).toEqual({
      messageHandle: 'm-1',
      groupId: undefined,
      mediaUrl: inbound.media_url,
    });
  });

  it('nothing for outbound media (our own URL), an empty media_url, a later change, or other items', () => {
    expect(mediaCopyFor(insert({ ...inbound, direction: 'outbound' }))).toBeUndefined();
    expect(mediaCopyFor(insert({ ...inbound, media_url: '' }))).toBeUndefined();
    expect(mediaCopyFor(insert({ ...inbound, media_url: '   ' }))).toBeUndefined();
    expect(mediaCopyFor({ ...insert(inbound), kind: 'MODIFY', oldImage: inbound })).toBeUndefined();
    expect(mediaCopyFor(insert(inbound, 'MSG#m-1', 'STATUS#SENT'))).toBeUndefined();
    expect(mediaCopyFor(insert(inbound, 'GROUP#g', 'GROUP'))).toBeUndefined();
  });
});

describe('where a copy is kept', () => {
  it('media/<group_id>/<message_handle>/<file name>, the same key every time for the same message', () => {
    const copy = {
      messageHandle: '5B0E7C2A-8F1D-4C3B-9A6E-2D7F1B4C8E90',
      groupId: 'sb_group_8d1e',
      mediaUrl: inbound.media_url,
    };
    expect(mediaObjectKey(copy)).toBe('media/sb_group_8d1e/5B0E7C2A-8F1D-4C3B-9A6E-2D7F1B4C8E90/IMG_0042.HEIC');
    expect(mediaObjectKey(copy)).toBe(mediaObjectKey({ ...copy }));
    expect(mediaObjectKey({ ...copy, groupId: undefined })).toBe(
      'media/_direct/5B0E7C2A-8F1D-4C3B-9A6E-2D7F1B4C8E90/IMG_0042.HEIC',
    );
  });

  it('ids that could shape the key (slashes, dots, long, odd characters) become a hash; distinct ids stay distinct', () => {
    for (const id of ['../../etc', 'a/b', '..', '.', 'x'.repeat(256), 'grüppe 1', '_direct']) {
      expect(keySegment(id)).toMatch(/^h-[0-9a-f]{40}$/);
    }
    expect(keySegment('a/b')).not.toBe(keySegment('a_b'));
    expect(keySegment('sb_group_1')).toBe('sb_group_1');
    const longest = mediaObjectKey({
      messageHandle: '🙂'.repeat(128),
      groupId: '🙂'.repeat(128),
      mediaUrl: `https://x.example/${'n'.repeat(900)}.png`,
    });
    expect(Buffer.byteLength(longest)).toBeLessThanOrEqual(1024);
  });

  it('file names: the last path segment, safe characters only, never empty or hidden', () => {
    expect(fileNameFromUrl('https://cdn.example.com/a/b/photo%20of%20me.jpg?x=1')).toBe('photo_of_me.jpg');
    expect(fileNameFromUrl('https://cdn.example.com/')).toBe('media');
    expect(fileNameFromUrl('https://cdn.example.com/.htaccess')).toBe('htaccess');
    expect(fileNameFromUrl('https://cdn.example.com/%2e%2e%2f%2e%2e%2fpasswd')).toBe('passwd');
    expect(fileNameFromUrl('not a url')).toBe('media');
    expect(fileNameFromUrl(`https://x.example/${'a'.repeat(300)}.png`)).toHaveLength(100);
  });

  it('content type: the media type the origin named, octet-stream for anything odd', () => {
    expect(contentTypeOf('image/PNG; charset=binary')).toBe('image/png');
    expect(contentTypeOf(undefined)).toBe('application/octet-stream');
    expect(contentTypeOf('text/html\r\nX-Evil: 1')).toBe('application/octet-stream');
    expect(contentTypeOf('nonsense')).toBe('application/octet-stream');
  });

  it('pictures, sound and video open inline; HTML, SVG and the unknown download', () => {
    expect(contentDispositionFor('image/jpeg', 'a.jpg')).toBe('inline; filename="a.jpg"');
    expect(contentDispositionFor('video/mp4', 'a.mp4')).toMatch(/^inline/);
    for (const type of ['text/html', 'image/svg+xml', 'application/pdf', 'application/octet-stream']) {
      expect(contentDispositionFor(type, 'f')).toMatch(/^attachment/);
    }
  });
});

describe('which addresses media may be fetched from (SSRF guard)', () => {
  it.each([
    '127.0.0.1',
    '127.9.9.9',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.10',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '2001:db8::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::10.0.0.1',
    '2002:a00:1::1',
  ])('%s is refused', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it('anything that is not an address is refused', () => {
    expect(isPublicAddress('localhost')).toBe(false);
    expect(isPublicAddress('')).toBe(false);
  });
});

describe('presigned links (s3-link-signer.ts)', () => {
  it("matches AWS's documented example (S3 API reference, query-string authentication: GET test.txt)", async () => {
    const sign = createS3LinkSigner({
      bucket: 'examplebucket',
      region: 'us-east-1',
      host: 'examplebucket.s3.amazonaws.com',
      expiresInSeconds: 86_400,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      now: () => new Date('2013-05-24T00:00:00Z'),
    });
    const link = await sign('test.txt');
    expect(link.url).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
        '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z' +
        '&X-Amz-Expires=86400&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404&X-Amz-SignedHeaders=host',
    );
    expect(link.expires_at).toBe('2013-05-25T00:00:00.000Z');
  });

  it('addresses the regional virtual host by default, path-style for an endpoint, with the session token', async () => {
    const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok/en+=' };
    const aws = await createS3LinkSigner({ bucket: 'media-bucket', region: 'eu-west-1', credentials })(
      'media/g/m/a b.png',
    );
    expect(aws.url).toMatch(/^https:\/\/media-bucket\.s3\.eu-west-1\.amazonaws\.com\/media\/g\/m\/a%20b\.png\?/);
    expect(new URL(aws.url).searchParams.get('X-Amz-Security-Token')).toBe('tok/en+=');
    expect(new URL(aws.url).searchParams.get('X-Amz-Expires')).toBe('3600');
    const local = await createS3LinkSigner({
      bucket: 'media-bucket',
      region: 'us-east-1',
      credentials,
      endpoint: 'http://127.0.0.1:9324',
    })('media/x.png');
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:9324\/media-bucket\/media\/x\.png\?X-Amz-Algorithm=/);
  });

  it('escapes key segments as S3 signs them', () => {
    expect(objectPath("media/g/m/it's (1)*.png")).toBe('/media/g/m/it%27s%20%281%29%2A.png');
  });
});
