/** The subset of pino's API the broker uses; pass a pino logger or anything shaped like it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const noop = (): void => {};

/** Default logger: libraries stay silent unless given one. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
