// Bundles the viewer page (src/viewer/web/) with esbuild into dist/viewer/web/ (issue 6):
// viewer.js (page script, IIFE), viewer-worker.js (layout worker with @dagrejs/dagre) and
// viewer.css. Run by `npm run build` after tsc.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/viewer/web`;
await mkdir(out, { recursive: true });
const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
};
await Promise.all([
  build({
    ...common,
    entryPoints: [`${root}src/viewer/web/main.ts`],
    outfile: `${out}/viewer.js`,
    platform: 'browser',
  }),
  build({
    ...common,
    entryPoints: [`${root}src/viewer/web/worker.ts`],
    outfile: `${out}/viewer-worker.js`,
    platform: 'browser',
  }),
  build({
    ...common,
    entryPoints: [`${root}src/viewer/web/styles.css`],
    outfile: `${out}/viewer.css`,
    format: undefined,
  }),
]);
