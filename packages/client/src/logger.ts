/** The subset of a pino logger the client uses; pass `pino()` or anything shaped like it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Libraries never write to the console: the default logger discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
