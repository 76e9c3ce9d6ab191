/** Helpers for the config tests: temporary YAML files and error assertions. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { PdsegError, type PdsegErrorCode } from '../../src/errors.js';

/** Asserts that `promise` rejects with a PdsegError of `code` whose message contains `phrase`. */
export async function expectPdsegError(
  promise: Promise<unknown>,
  code: PdsegErrorCode,
  phrase: string,
): Promise<PdsegError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PdsegError);
  const e = error as PdsegError;
  expect(e.code).toBe(code);
  expect(e.message).toContain(phrase);
  return e;
}

/** Writes `text` to `dir/name` and returns the path. */
export async function writeYaml(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, 'utf8');
  return path;
}

/** Crop sizes every loadConfig call needs to pass check_and_infer (spec §1.1 item 3). */
export const CROPS = ['TRAIN_CROP_SIZE', '(512, 512)', 'EVAL_CROP_SIZE', '(512, 512)'];

/** Absolute plus relative tolerance comparison of number arrays. */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  atol = 1e-9,
  rtol = 1e-9,
): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    expect(Math.abs(a - e)).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  });
}
