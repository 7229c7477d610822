import type { CommandContext } from './command.js';
import { UsageError } from './usage-error.js';

type Io = Pick<CommandContext, 'stdin' | 'stderr'>;

/**
 * Reads a secret. On a terminal: prompts on stderr and reads with echo off (raw mode), so the
 * password never appears on screen or in scrollback. Otherwise: the first line of stdin, so
 * `printf %s "$PW" | firehose passwd` works in scripts.
 */
export async function readSecret(io: Io, prompt: string): Promise<string> {
  const { stdin } = io;
  if (stdin.isTTY === true && typeof stdin.setRawMode === 'function') return readFromTerminal(io, prompt);
  const text = await readAll(stdin);
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '')
    throw new UsageError('no password on stdin; pipe one in or run on a terminal to be prompted.');
  return line;
}

/** Everything on a readable stream as UTF-8. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function readFromTerminal(io: Io, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
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
