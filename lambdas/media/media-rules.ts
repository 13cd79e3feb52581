import { createHash } from 'node:crypto';
import { itemKindOf } from '../contract/keys.js';
import type { TableChange } from '../events/table-change.js';

/**
 * What the media Lambda copies and where it puts it, decided without I/O: every inbound message's
 * `media_url` (Sendblue's link expires after 30 days), under a key derived from the message, so
 * a redelivered stream record writes the same object again instead of a second one.
 */

/** Defaults shared by the stack (lib/defaults.ts) and the Lambda: the largest copy and the download time. */
export const MEDIA_SETTINGS = {
  /** iMessage attachments go up to about 100 MB (SMS/MMS: 5 MB). */
  maxBytes: 100 * 1024 * 1024,
  fetchTimeoutMs: 60_000,
  /** Presigned links in the read API. */
  linkTtlSeconds: 3600,
} as const;

export interface MediaCopy {
  messageHandle: string;
  groupId?: string;
  mediaUrl: string;
}

/** Only the INSERT of an inbound message: each message is inserted once, so each is copied once. */
export function mediaCopyFor(change: TableChange): MediaCopy | undefined {
  if (change.kind !== 'INSERT' || itemKindOf(change.pk, change.sk) !== 'message') return undefined;
  const item = change.newImage ?? {};
  if (item.direction !== 'inbound' || typeof item.media_url !== 'string' || !item.media_url.trim()) return undefined;
  return {
    messageHandle: change.pk.slice('MSG#'.length),
    groupId: typeof item.group_id === 'string' ? item.group_id : undefined,
    mediaUrl: item.media_url.trim(),
  };
}

export const MEDIA_PREFIX = 'media/';
/** Key segment for a 1:1 message (no group). Not a valid group segment: those never start with `_`. */
const DIRECT = '_direct';
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * An id as one key segment: readable when it is plain (Sendblue's ids are UUIDs and
 * `sb_group_<uuid>`), else a hash, so `/`, `..`, odd characters or a 256-character id never
 * shape the key (S3 keys are at most 1,024 bytes).
 */
export function keySegment(id: string): string {
  return SAFE_SEGMENT.test(id) && id !== '.' && id !== '..'
    ? id
    : `h-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

/** The file name at the end of the URL's path, reduced to safe characters; `media` when there is none. */
export function fileNameFromUrl(url: string): string {
  let last = '';
  try {
    last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    last = '';
  }
  const safe = last
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-100);
  return safe || 'media';
}

/** `media/<group_id>/<message_handle>/<file name>`; 1:1 messages under `media/_direct/`. */
export function mediaObjectKey(copy: MediaCopy): string {
  return `${MEDIA_PREFIX}${copy.groupId ? keySegment(copy.groupId) : DIRECT}/${keySegment(copy.messageHandle)}/${fileNameFromUrl(copy.mediaUrl)}`;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;
const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/** The media type the origin named (parameters dropped), or octet-stream for anything odd. */
export function contentTypeOf(header: string | undefined): string {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : UNKNOWN_CONTENT_TYPE;
}

/**
 * Pictures, sound and video open in the browser; anything else (HTML, SVG, PDF, unknown) is a
 * download: a copy of a stranger's file must not run as a page when someone opens its link.
 */
export function contentDispositionFor(contentType: string, fileName: string): string {
  const inline = /^(image\/(png|jpeg|gif|webp|heic|heif|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/.test(
    contentType,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${fileName}"`;
}
