/**
 * Opaque pagination cursors: the DynamoDB LastEvaluatedKey as base64url JSON. Decoding checks the
 * shape and that the cursor belongs to the group being read, so a forged cursor is a 400, not a scan
 * of someone else's partition.
 */
export type Cursor = Record<string, string>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

export function decodeCursor(value: string, expectedKeys: readonly string[]): Cursor | undefined {
  if (value.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length !== expectedKeys.length) return undefined;
  if (!entries.every(([key, v]) => expectedKeys.includes(key) && typeof v === 'string')) return undefined;
  return parsed as Cursor;
}
