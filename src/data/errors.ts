// Error types of src/data, so callers can tell bad input apart from bugs.

/** An image file or buffer that does not decode; `path` is '<buffer>' for in-memory input. */
export class DecodeError extends Error {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string) {
    super(`cannot decode ${path}: ${reason}`);
    this.name = 'DecodeError';
    this.path = path;
    this.reason = reason;
  }
}

/** A dataset whose layout or contents cannot be used (message names the folder or file). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** A file that was left out of a dataset, with why. */
export interface SkippedFile {
  path: string;
  reason: string;
}
