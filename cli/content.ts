/**
 * A message text from a file or from standard input (`send --content-file PATH`, `--content-file -`,
 * or the text `-`), for texts past what a shell passes as an argument. The text is sent as it is
 * (UTF-8; a byte-order mark and one final line end, which editors and `echo` add, are dropped);
 * Sendblue's limit on it is checked by the command's own validation (validateCommand), as for any
 * text. Reading stops past the most bytes a text within that limit could take.
 */
import { open } from 'node:fs/promises';
import { MAX_CONTENT_CHARS } from '../lambdas/contract/sendblue-rules.js';
import { usageError, type CliIo } from './context.js';

/** 4 bytes a character at most in UTF-8, and a BOM and a line end: no text within Sendblue's limit is longer. */
export const MAX_CONTENT_BYTES = MAX_CONTENT_CHARS * 4 + 8;

/** `source`: a path, or `-` for standard input. `command` names the command in errors. */
export async function readContent(source: string, io: CliIo, command: string): Promise<string> {
  const where = source === '-' ? 'standard input' : source;
  const bytes = source === '-' ? await readStdin(io, command) : await readFileStart(source, command);
  if (bytes.length > MAX_CONTENT_BYTES)
    throw usageError(
      `${command}: the text in ${where} is too long: content must be under ${MAX_CONTENT_CHARS} characters (Sendblue's limit)`,
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // drops a leading BOM
  } catch {
    throw usageError(`${command}: ${where} is not UTF-8 text`);
  }
  return text.replace(/\r?\n$/, '');
}

/** The file's first MAX_CONTENT_BYTES + 1 bytes (enough to tell it is too long). */
async function readFileStart(path: string, command: string): Promise<Uint8Array> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw usageError(`${command}: cannot read --content-file ${path}: ${reason(error)}`);
  }
  try {
    const buffer = Buffer.alloc(MAX_CONTENT_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } catch (error) {
    throw usageError(`${command}: cannot read --content-file ${path}: ${reason(error)}`);
  } finally {
    await file.close();
  }
}

async function readStdin(io: CliIo, command: string): Promise<Uint8Array> {
  if (!io.stdin) throw usageError(`${command}: there is no standard input to read the text from`);
  if (io.stdin.isTTY) io.err('reading the text from the terminal: end it with Ctrl-D on a line of its own');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    chunks.push(bytes);
    length += bytes.length;
    if (length > MAX_CONTENT_BYTES) break; // too long already: the rest is not read
  }
  return Buffer.concat(chunks);
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
