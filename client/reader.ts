/**
 * Reads through the HTTP API (docs/contract.md §4). In AWS the read routes are IAM-authorized, so each
 * request is signed with SigV4 (service `execute-api`) using the default credential chain.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeSha256 } from '../lambdas/platform/node-sha256.js';
import { connectionErrorCode } from '../lambdas/sending/sendblue-errors.js';
import { quietDefaultProvider } from './sdk-warning.js';
import type { Target } from './target.js';

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Signs a GET to the API; returns the headers to send (host, x-amz-date, authorization, ...). */
export async function signGet(
  url: URL,
  region: string,
  credentials: Credentials,
  now?: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: NodeSha256 });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { host: url.host },
    },
    now ? { signingDate: now } : undefined,
  );
  return signed.headers as Record<string, string>;
}

/**
 * The message for a request that got no answer: what was not reached, where (the URL without its
 * query: never a credential, reads are signed in headers), and why, e.g. `could not reach the
 * sandbox at http://127.0.0.1:3000/groups/g1: ECONNREFUSED (is \`npm start\` running?)`.
 */
export function unreachableMessage(target: Target, url: string | URL, error: unknown, what = 'reach'): string {
  const parsed = new URL(url);
  const where = `${parsed.origin}${parsed.pathname}`;
  const name = target.kind === 'sandbox' ? 'the sandbox' : target.label;
  return (
    `could not ${what} ${name} at ${where}: ${networkReason(error)}` +
    (target.kind === 'sandbox' ? ' (is `npm start` running?)' : '')
  );
}

/** The connection error's code (ECONNREFUSED...), else the error's message. */
const networkReason = (error: unknown): string =>
  connectionErrorCode(error) ?? (error instanceof Error ? error.message : String(error));

export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface Reader {
  /** GET a read route; throws RemoteError on a network failure or a non-2xx answer. */
  get<T = unknown>(path: string): Promise<T>;
}

export function createReader(target: Target, options: { credentials?: Credentials } = {}): Reader {
  const credentials = target.signReads ? (options.credentials ?? quietDefaultProvider()) : undefined;
  return {
    async get(path) {
      const url = new URL(`${target.apiUrl}${path}`);
      let response: Response;
      try {
        const headers = credentials ? await signGet(url, target.region, credentials) : {};
        response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new RemoteError(unreachableMessage(target, url, error));
      }
      const text = await response.text();
      let body: { error?: string; message?: string } | undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      if (!response.ok) {
        const reason = body?.error ?? body?.message ?? text.slice(0, 200);
        throw new RemoteError(`${url.pathname} answered ${response.status}: ${reason}`, response.status);
      }
      return body as never;
    },
  };
}
