/** Input listing: sorted folders, --recursive, extensions, list files with DATA_DIR and SEPARATOR. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { collectInputs } from '../../src/predict/inputs.js';
import { tempDir } from '../helpers.js';

let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  tmp = await tempDir();
  await mkdir(join(tmp.dir, 'imgs', 'sub'), { recursive: true });
  for (const f of ['b.JPG', 'a.png', 'c.tiff', 'notes.txt', 'sub/d.webp', 'Z.bmp'])
    await writeFile(join(tmp.dir, 'imgs', f), 'x');
});

afterAll(async () => {
  await tmp.cleanup();
});

const names = (items: { input: string }[]) => items.map((i) => i.input.slice(tmp.dir.length + 1));

describe('collectInputs', () => {
  it('lists a folder in code-unit order, images only, sub-folders with recursive', async () => {
    const flat = await collectInputs({ inputs: ['imgs'], outputDir: 'out', cwd: tmp.dir });
    expect(names(flat)).toEqual(['imgs/Z.bmp', 'imgs/a.png', 'imgs/b.JPG', 'imgs/c.tiff']);
    const deep = await collectInputs({ inputs: ['imgs'], outputDir: 'out', cwd: tmp.dir, recursive: true });
    expect(names(deep)).toEqual(['imgs/Z.bmp', 'imgs/a.png', 'imgs/b.JPG', 'imgs/c.tiff', 'imgs/sub/d.webp']);
    expect(deep[1]!.output).toBe(join(tmp.dir, 'out', 'a.png'));
    expect(deep[2]!.blend).toBe(join(tmp.dir, 'out', 'b_blend.jpg'));
  });

  it('reads the first field of list lines under DATA_DIR with the separator', async () => {
    await writeFile(join(tmp.dir, 'list.txt'), 'imgs/a.png|ann/a.png\n\n  imgs/sub/d.webp|ann/d.png  \n');
    const items = await collectInputs({
      list: 'list.txt',
      dataDir: '.',
      separator: '|',
      outputDir: 'o',
      cwd: tmp.dir,
    });
    expect(names(items)).toEqual(['imgs/a.png', 'imgs/sub/d.webp']);
  });

  it('explains a missing input and an empty folder', async () => {
    const missing = await collectInputs({ inputs: ['nope'], outputDir: 'o', cwd: tmp.dir }).catch((e) => e);
    expect(missing).toBeInstanceOf(PdsegError);
    expect(missing.code).toBe('USAGE');
    expect(missing.message).toContain('"nope" does not exist');
    await mkdir(join(tmp.dir, 'empty'));
    const empty = await collectInputs({ inputs: ['empty'], outputDir: 'o', cwd: tmp.dir }).catch((e) => e);
    expect(empty.message).toContain('holds no images');
  });
});
