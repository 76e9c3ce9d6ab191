/**
 * Model ids (issue 8): 32 lowercase hex characters, the first 128 bits of the SHA-256 of the
 * model's bytes. Same look as VisualDL's MD5 ids, without MD5's collisions. Any text that is
 * not exactly this shape is rejected before it comes near the file system.
 */
import type { Hash } from 'node:crypto';

const ID_PATTERN = /^[0-9a-f]{32}$/;

/** True when `text` is a well-formed model id (32 lowercase hex characters). */
export function isModelId(text: unknown): text is string {
  return typeof text === 'string' && ID_PATTERN.test(text);
}

/** The id of content whose SHA-256 is being computed by `hash` (consumes the hash). */
export function idFromHash(hash: Hash): string {
  return hash.digest('hex').slice(0, 32);
}
