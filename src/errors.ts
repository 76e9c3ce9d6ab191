/**
 * The pdseg error family (STYLE.md §5). Every user-facing failure is a {@link PdsegError}
 * with a stable `code`, a message that quotes the offending file/key/value and says what
 * to do, and an optional `cause`. The CLI maps `exitCode` to the process exit status:
 * 2 for bad usage or bad input, 1 when the work itself failed (DESIGN.md, exit codes).
 */

/** Stable error codes. Tests and scripts may match on these; never rename one. */
export type PdsegErrorCode =
  | 'USAGE'
  | 'CONFIG_FILE'
  | 'CONFIG_PARSE'
  | 'CONFIG_UNKNOWN_KEY'
  | 'CONFIG_TYPE'
  | 'CONFIG_CHECK'
  | 'CONFIG_OVERRIDES'
  | 'DOWNLOAD_UNKNOWN_NAME'
  | 'DOWNLOAD_HTTP'
  | 'DOWNLOAD_NETWORK'
  | 'DOWNLOAD_CHECKSUM'
  | 'DOWNLOAD_TARGET_EXISTS'
  | 'ARCHIVE_CORRUPT'
  | 'ARCHIVE_UNSAFE'
  | 'WEIGHT_FORMAT'
  | 'WEIGHT_MISSING'
  | 'WEIGHT_SHAPE_MISMATCH'
  | 'MODEL_UNKNOWN'
  | 'MODEL_FORMAT'
  | 'MODEL_UNSUPPORTED_OP'
  | 'ONNX_DECODE'
  | 'IMAGE_DECODE'
  | 'IMAGE_CHANNELS'
  | 'IMAGE_TOO_LARGE'
  | 'OUTPUT_CONFLICT'
  | 'LABEL_VALUE'
  | 'DATASET'
  | 'SERVICE'
  | 'IO'
  | 'WORK_FAILED';

/** Codes that mean "the work failed" (exit 1) rather than "bad input" (exit 2). */
const WORK_FAILURE_CODES: ReadonlySet<PdsegErrorCode> = new Set<PdsegErrorCode>([
  'DOWNLOAD_HTTP',
  'DOWNLOAD_NETWORK',
  'DOWNLOAD_CHECKSUM',
  'SERVICE',
  'WORK_FAILED',
]);

/** Options accepted by {@link PdsegError}. */
export interface PdsegErrorOptions {
  /** The underlying error, kept for `--verbose`. */
  cause?: unknown;
  /** Override the exit code implied by the error code. */
  exitCode?: 1 | 2;
}

/** Base class of every error pdseg reports to a user. */
export class PdsegError extends Error {
  /** Stable machine-readable code. */
  readonly code: PdsegErrorCode;
  /** Process exit status the CLI uses for this error: 1 work failed, 2 bad input. */
  readonly exitCode: 1 | 2;

  constructor(code: PdsegErrorCode, message: string, options: PdsegErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PdsegError';
    this.code = code;
    this.exitCode = options.exitCode ?? (WORK_FAILURE_CODES.has(code) ? 1 : 2);
  }
}

/** True when `e` is a {@link PdsegError}, optionally with the given code. */
export function isPdsegError(e: unknown, code?: PdsegErrorCode): e is PdsegError {
  return e instanceof PdsegError && (code === undefined || e.code === code);
}

/** Message of any thrown value, for wrapping foreign errors into a {@link PdsegError}. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
