import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/paddle/checkpoint.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import type { Tensor } from '../../src/paddle/tensor.js';
import { tempDir } from '../helpers.js';
import { appendixA } from './appendix-a.js';

describe('spec Appendix A: PSPNet-ResNet50, 2 classes, written combined', () => {
  it('gives exactly 362 variables and 187,187,666 bytes, in the appendix order', async () => {
    const rows = appendixA(2);
    expect(rows).toHaveLength(362);
    const largest = Math.max(...rows.map((r) => r.dims.reduce((a, b) => a * b, 1)));
    const zeros = new ArrayBuffer(largest * 4); // one shared buffer: every tensor is a view of it
    // hand the writer the rows in reverse, so the order in the file is the writer's own sort
    const tensors: Tensor[] = [...rows].reverse().map(({ name, dims }) => ({
      name,
      dims,
      dtype: 'float32',
      data: new Float32Array(
        zeros,
        0,
        dims.reduce((a, b) => a * b, 1),
      ),
    }));
    const { dir, cleanup } = await tempDir();
    try {
      const result = await writeCheckpoint(dir, tensors, 'combined');
      expect(result).toEqual({ bytes: 187_187_666, files: 1 });
      expect((await stat(join(dir, '__params__'))).size).toBe(187_187_666);
      const cp = await openCheckpoint(dir, { expectedNames: rows.map((r) => r.name) });
      expect(cp.names()).toEqual(rows.map((r) => r.name));
      for (const r of rows) expect(cp.info(r.name)?.dims).toEqual(r.dims);
      await cp.close();
    } finally {
      await cleanup();
    }
  });
});
