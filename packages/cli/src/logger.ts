import { pino, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export interface CliLoggerOptions {
  readonly level: LevelWithSilent;
  /** Where log lines go (the broker: stdout; other commands: stderr, so stdout stays data). */
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean; fd?: number };
  /** Colour in pretty mode. */
  readonly colour: boolean;
}

/**
 * pino for the CLI: human-readable lines on a terminal, one JSON object per line otherwise
 * (what log shippers expect). pino-pretty runs in-process and synchronously, not as a worker
 * transport, so a crash never loses the last lines and the process exits promptly.
 */
export function createLogger({ level, stream, colour }: CliLoggerOptions): Logger {
  if (stream.isTTY === true) {
    return pino(
      { level },
      pretty({
        colorize: colour,
        destination: stream,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      }),
    );
  }
  return pino({ level, base: undefined }, stream);
}
