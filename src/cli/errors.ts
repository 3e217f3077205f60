// The CLI's failures and their exit codes (docs/cli.md): 1 for a request the API refused or an input the CLI
// refused before sending, 2 for an API out of reach; 0 is success, and `follow` adds 1 for a failed delivery.
/** A failure the CLI reports as `error: <message>` plus one line per detail, then exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
    readonly details: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The API answered with an error status. Exit code 1. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message, 1, details);
  }
}

/** The API could not be reached at all. Exit code 2. */
export class NetworkError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
