/**
 * PaddleSeg list files for EVAL (spec §3.3, §6): every non-blank line is
 * `<image><SEPARATOR><label>`, paths relative to `DATASET.DATA_DIR`; a line that does not
 * split into exactly two fields is PaddleSeg's "File list format incorrect!" error.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf, PdsegError } from '../errors.js';

/** One evaluation sample. */
export interface EvalSample {
  image: string;
  label: string;
  /** 1-based line number in the list file. */
  line: number;
}

/** Reads `listFile` into samples under `dataDir`. */
export async function readEvalList(
  listFile: string,
  dataDir: string,
  separator: string,
): Promise<EvalSample[]> {
  let text: string;
  try {
    text = await readFile(listFile, 'utf8');
  } catch (e) {
    throw new PdsegError('DATASET', `cannot read list file "${listFile}": ${messageOf(e)}`, { cause: e });
  }
  const out: EvalSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const parts = line.split(separator);
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new PdsegError(
        'DATASET',
        `File list format incorrect! It should be image_name${separator}label_name — "${listFile}" line ${i + 1}: ${JSON.stringify(line)} (DATASET.SEPARATOR is ${JSON.stringify(separator)})`,
      );
    }
    out.push({
      image: join(dataDir, parts[0] as string),
      label: join(dataDir, parts[1] as string),
      line: i + 1,
    });
  }
  return out;
}

/** Class names from `<dataDir>/labels.txt` (one per line) when present and of the right length. */
export async function readClassNames(dataDir: string, numClasses: number): Promise<string[] | undefined> {
  try {
    const names = (await readFile(join(dataDir, 'labels.txt'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    return names.length === numClasses ? names : undefined;
  } catch {
    return undefined;
  }
}
