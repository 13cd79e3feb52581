import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeSha256 } from '../platform/node-sha256.js';
import type { MediaLinker } from '../reads/ports.js';

/**
 * Presigned GET links to archived media (S3 query-string authentication, SigV4), made with the
 * signer the AWS SDK clients already carry instead of the S3 client and its presigner: the read
 * Lambda stays as quick to load as its DynamoDB client alone (docs/contract.md §7). Signing is local (no
 * request); the link works while the signer's role may s3:GetObject the key.
 */
export interface S3LinkOptions {
  bucket: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * An S3-compatible endpoint, addressed path-style (`<endpoint>/<bucket>/<key>`): the sandbox's
   * stand-in. Default: S3 itself, virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`).
   */
  endpoint?: string;
  /** The virtual host, when not addressed path-style. @default `<bucket>.s3.<region>.amazonaws.com` */
  host?: string;
  /** @default 3600 (one hour) */
  expiresInSeconds?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

/** RFC 3986 escaping, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const escapeRfc3986 = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/** The object's path as S3 signs it: each segment escaped, the slashes kept. */
export const objectPath = (key: string) => `/${key.split('/').map(escapeRfc3986).join('/')}`;

export function createS3LinkSigner(options: S3LinkOptions): MediaLinker {
  const { bucket, region, expiresInSeconds = 3600, now = () => new Date() } = options;
  const base = options.endpoint
    ? new URL(options.endpoint)
    : new URL(`https://${options.host ?? `${bucket}.s3.${region}.amazonaws.com`}`);
  const pathPrefix = options.endpoint ? `/${escapeRfc3986(bucket)}` : '';
  // S3 signs the path as sent (no second escaping) and, for presigned URLs, an unsigned payload.
  const signer = new SignatureV4({
    service: 's3',
    region,
    credentials: options.credentials,
    sha256: NodeSha256,
    uriEscapePath: false,
  });
  const payloadHeader = 'x-amz-content-sha256';

  return async (key) => {
    const signingDate = now();
    const path = `${pathPrefix}${objectPath(key)}`;
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port ? Number(base.port) : undefined,
        path,
        query: {},
        headers: { host: base.host, [payloadHeader]: 'UNSIGNED-PAYLOAD' },
      },
      {
        signingDate,
        expiresIn: expiresInSeconds,
        // Sets the payload hash S3 expects; neither sent nor signed as a header.
        unhoistableHeaders: new Set([payloadHeader]),
        unsignableHeaders: new Set([payloadHeader]),
      },
    );
    const query = Object.entries(signed.query as Record<string, string>)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `${escapeRfc3986(name)}=${escapeRfc3986(value)}`)
      .join('&');
    return {
      url: `${base.protocol}//${base.host}${path}?${query}`,
      expires_at: new Date(signingDate.getTime() + expiresInSeconds * 1000).toISOString(),
    };
  };
}
