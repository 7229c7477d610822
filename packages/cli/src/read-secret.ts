import { closeSync, openSync } from 'node:fs';
import { ReadStream, isatty } from 'node:tty';
import type { CommandContext } from './command.js';
import { UsageError } from './usage-error.js';

type Io = Pick<CommandContext, 'stdin' | 'stderr'>;

/**
 * Reads a secret. On a terminal: prompts on stderr and reads with echo off (raw mode), so the
 * password never appears on screen or in scrollback. Otherwise, with `fromStdin`: the first line
 * of stdin, so `printf %s "$PW" | firehose passwd` works in scripts. Without it (stdin carries data,
 * as for `pub -` and `bridge gerrit`), the prompt goes to the controlling terminal (`/dev/tty`, as
 * ssh and sudo do), never eating the first line of the data.
 *
 * @throws UsageError when there is no way to ask (no terminal, nothing on stdin).
 */
export async function readSecret(io: Io, prompt: string, options: { fromStdin: boolean }): Promise<string> {
  const { stdin } = io;
  if (stdin.isTTY === true && typeof stdin.setRawMode === 'function')
    return readFromTerminal(stdin, io.stderr, prompt);
  if (!options.fromStdin) {
    const tty = openControllingTerminal();
    if (tty === undefined) {
      throw new UsageError('no terminal to ask for the password on; set FIREHOSE_PASSWORD.');
    }
    try {
      return await readFromTerminal(tty, io.stderr, prompt);
    } finally {
      tty.destroy();
    }
  }
  const text = await readAll(stdin);
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '')
    throw new UsageError('no password on stdin; pipe one in or run on a terminal to be prompted.');
  return line;
}

function openControllingTerminal(): ReadStream | undefined {
  try {
    const fd = openSync('/dev/tty', 'r');
    if (!isatty(fd)) {
      closeSync(fd);
      return undefined;
    }
    return new ReadStream(fd);
  } catch {
    // No controlling terminal (CI, cron, systemd): the caller says to use FIREHOSE_PASSWORD.
    return undefined;
  }
}

/** Everything on a readable stream as UTF-8. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function readFromTerminal(
  stdin: NodeJS.ReadableStream & { setRawMode?: (mode: boolean) => unknown },
  stderr: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  const setRawMode = stdin.setRawMode?.bind(stdin);
  return new Promise((resolve, reject) => {
    let value = '';
    stderr.write(prompt);
    setRawMode?.(true);
    stdin.resume();
    const finish = (error?: Error): void => {
      stdin.off('data', onData);
      setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          if (value === '') finish(new UsageError('empty password.'));
          else finish();
          return;
        }
        if (char === '\u0003') {
          finish(new UsageError('cancelled.'));
          return;
        }
        // Backspace/DEL edit the hidden value; nothing is echoed either way.
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}
