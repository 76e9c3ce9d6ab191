/** Source text for the source pane (issue 7): only files inside the given roots are embedded. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachSources } from '../../src/viewer/load.js';
import type { ViewGraph } from '../../src/viewer/model.js';
import { tempDir } from '../helpers.js';

function graphWithFrames(files: string[]): ViewGraph {
  return {
    format: 'paddle',
    name: 'g',
    nodes: files.map((file, id) => ({
      id,
      name: `op${id}`,
      opType: 'relu',
      scope: [],
      attributes: {},
      inputs: [],
      outputs: [],
      source: [{ file, line: 3 }],
    })),
    tensors: {},
    inputs: [],
    outputs: [],
    metadata: {},
  };
}

describe('attachSources', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, 'src/pdseg/models'), { recursive: true });
    await writeFile(join(dir, 'src/pdseg/models/pspnet.py'), 'def psp():\n    pass\n');
    await writeFile(join(dir, 'secret.txt'), 'no');
  });
  afterAll(() => cleanup());

  it('finds a file from another machine by its trailing path segments under a --source root', async () => {
    const g = graphWithFrames(['/home/someone/PaddleSeg/pdseg/models/pspnet.py', '/etc/passwd.py']);
    expect(await attachSources(g, [join(dir, 'src')])).toBe(1);
    expect(g.sources).toEqual({ '/home/someone/PaddleSeg/pdseg/models/pspnet.py': 'def psp():\n    pass\n' });
  });

  it('never leaves the roots: `..` segments and non-source files are ignored', async () => {
    const g = graphWithFrames(['../secret.txt', '../../secret.py', 'x/../../secret.txt']);
    expect(await attachSources(g, [join(dir, 'src')])).toBe(0);
    expect(g.sources).toBeUndefined();
  });
});
