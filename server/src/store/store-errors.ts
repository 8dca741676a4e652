import { AppError } from '../errors.js';

/** The data file cannot be used: it is named, with the problem, in one line, and left untouched. */
export class StoreLoadError extends Error {
  override name = 'StoreLoadError';
  /** `message` on one line ("cannot start" prints it as one): line breaks quoted from a file become spaces. */
  constructor(message: string, options?: ErrorOptions) {
    super(message.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' '), options);
  }
}

/** Seconds a caller should wait before retrying after a failed write (`Retry-After`, RFC 9110 §10.2.3). */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * A change could not be made durable (disk full, quota, I/O error: `ENOSPC`, `EDQUOT`, `EFBIG`,
 * `EIO`…). Every change of the failed group commit, and every change made after it and not yet
 * written, is rejected with this error and undone in memory: nothing refused ever reaches the file.
 * Answered as a 503 problem with `Retry-After` (README "Data and storage").
 */
export class StoreWriteError extends AppError {
  override name = 'StoreWriteError';
  /** `detail` is public (the problem's `detail`); the default says the storage is failing or full. */
  constructor(
    cause: unknown,
    detail = 'The change could not be saved (the storage is failing or full); nothing was stored. Retry later.',
  ) {
    super(503, 'storage_unavailable', detail, { cause });
  }
  readonly retryAfterSeconds = STORE_RETRY_AFTER_SECONDS;
}

/**
 * The data file was changed by another program since Glasshouse loaded it; compaction refuses to
 * overwrite it. Changes made since stay in the journal.
 */
export class StoreConflictError extends Error {
  override name = 'StoreConflictError';
}

/** A row that does not fit its collection's schema reached the store: a bug at an edge (500). */
export class InvalidRowError extends Error {
  override name = 'InvalidRowError';
}

/**
 * A new snapshot was renamed over the data file (the commit point of a compaction or a reset), but a
 * step after it failed (fsync of the folder…): what the file system shows is the new snapshot, its
 * durability is not confirmed. `cause` is the file-system error.
 */
export class AfterRenameError extends Error {
  override name = 'AfterRenameError';
  constructor(cause: unknown) {
    super(`the new snapshot is in place, then: ${(cause as Error | undefined)?.message ?? String(cause)}`, { cause });
  }
}
