/** Base class for errors the application expects and can explain. */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Configuration that cannot work: the message names the variable and what is expected. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('config_invalid', message);
  }
}

/** A call to another service failed; `retryable` follows HTTP semantics (408/409/429/5xx). */
export class UpstreamError extends AppError {
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, options: { status?: number; retryable?: boolean; cause?: unknown } = {}) {
    super('upstream_failed', message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? isRetryableStatus(options.status);
  }
}

/** The on-disk index cannot be used as it is (other embedder, other schema, missing files). */
export class IndexMismatchError extends AppError {
  constructor(message: string) {
    super('index_mismatch', message);
  }
}

export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true; // network failure or timeout
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
