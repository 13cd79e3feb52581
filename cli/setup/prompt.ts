/**
 * Reads values such as API keys without echoing them. In a terminal: raw mode (the terminal
 * echoes nothing, not even stars), Enter ends a value, Backspace and Ctrl-U edit, Ctrl-C or
 * Ctrl-D on an empty value cancel. From a pipe (`printf '%s\n' "$ID" "$KEY" | cli setup --aws`):
 * one line per value (a line saying which is read goes to the output). The values never reach
 * the output stream.
 */
import { CliError, EXIT } from '../context.js';

export interface PromptInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

const cancelled = () => new CliError('cancelled: nothing was stored', EXIT.usage);

/** A function that asks for one value at a time; it attaches to the input only when first called. */
export function createSecretPrompt(
  input: PromptInput,
  output: NodeJS.WritableStream,
): (label: string) => Promise<string> {
  const tty = Boolean(input.isTTY && input.setRawMode);
  let buffer = '';
  let ended = false;
  let attached = false;
  let wake: (() => void) | undefined;

  const attach = () => {
    if (attached) return;
    attached = true;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      buffer += chunk;
      wake?.();
    });
    input.on('end', () => {
      ended = true;
      wake?.();
    });
  };

  /** The next value up to Enter or a line end; undefined at the end of the input with nothing typed. */
  async function readValue(): Promise<string | undefined> {
    let value = '';
    for (;;) {
      while (buffer.length) {
        const char = buffer[0]!;
        buffer = buffer.slice(1);
        if (char === '\r' || char === '\n') {
          if (char === '\r' && buffer[0] === '\n') buffer = buffer.slice(1);
          return value;
        }
        if (!tty) {
          value += char;
          continue;
        }
        if (char === '\u0003' || (char === '\u0004' && !value)) throw cancelled(); // Ctrl-C; Ctrl-D on nothing
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char === '\u0015')
          value = ''; // Ctrl-U
        else if (char === '\u001b')
          buffer = buffer.replace(/^\[[0-9;]*[A-Za-z~]|^O[A-Za-z]/, ''); // arrow keys and the like
        else if (char >= ' ') value += char;
      }
      if (ended) return value || undefined;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }

  return async (label) => {
    attach();
    if (tty) {
      // Raw mode first: a key typed as soon as the prompt shows must not be echoed.
      input.setRawMode!(true);
      output.write(`${label} (typing is not shown): `);
    } else {
      // Says what it waits for, so a pipe that never ends is not a silent hang.
      output.write(`reading ${label} from stdin (one line)\n`);
    }
    input.resume();
    try {
      const value = await readValue();
      if (value === undefined) throw new CliError(`no value given for ${label}: nothing was stored`, EXIT.usage);
      return value;
    } finally {
      if (tty) {
        input.setRawMode!(false);
        output.write('\n');
      }
      // Paused between values and after the last, so the CLI can exit when it is done.
      input.pause();
    }
  };
}
