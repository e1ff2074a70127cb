/**
 * Errors that reach the operator as one line. The CLI prints `message` alone (no stack)
 * and exits with `exitCode`; messages must never contain secrets.
 */
export class UserFacingError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad configuration: the message names the file, the key and the fix. */
export class ConfigError extends UserFacingError {}

/** A broker or object store that cannot be reached or refuses our credentials. */
export class ConnectionError extends UserFacingError {}

/** A Kafka topic that does not exist or cannot be created: the message names it and the fix. */
export class TopicError extends UserFacingError {}

export class ObjectExistsError extends UserFacingError {
  constructor(readonly key: string) {
    super(`object ${key} already exists; versions are never overwritten`);
  }
}

export class ObjectNotFoundError extends UserFacingError {
  constructor(readonly key: string) {
    super(`object ${key} does not exist`);
  }
}

/** Bad input from a flag, a form field, a message or an artifact. */
export class InvalidInputError extends UserFacingError {}
