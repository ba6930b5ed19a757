// The engine logs through this interface so that only entry points know about @actions/core.

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Register a value that must be masked in every log line from now on. */
  secret(value: string): void;
}

/** A logger that drops everything; handy for unit tests. */
export const silentLogger: Logger = {
  info() {},
  warning() {},
  debug() {},
  secret() {},
};
