import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

// src/viewer/web is bundled by esbuild (no type check) and excluded from the main tsconfig,
// so its types are checked here with its own tsconfig (DOM, no Node types).
it('type-checks the page and worker code', async () => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = await promisify(execFile)(process.execPath, [
    tsc,
    '-p',
    join(ROOT, 'src/viewer/web/tsconfig.json'),
  ]).then(
    (o) => ({ code: 0, out: o.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );
  expect(r.out).toBe('');
  expect(r.code).toBe(0);
});
