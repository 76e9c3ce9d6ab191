// The full-size model the export and predict benches measure: PSPNet-ResNet50 from
// configs/pspnet_optic.yaml with the tutorial's 19 classes (512×512), its checkpoint being
// the seeded synthetic one of `pdseg quickstart --offline` in the zoo's per-file layout.
// Imports from dist/: run `npx tsc -p tsconfig.json` first.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

/** The checked config, resolving ./checkpoint and ./freeze_model against `work`. */
export async function fullPspnetConfig(work) {
  const { loadConfig } = await import(dist('config/index.js'));
  return loadConfig({
    cfgFile: join(ROOT, 'configs', 'pspnet_optic.yaml'),
    overrides: [
      'DATASET.NUM_CLASSES',
      '19',
      'TEST.TEST_MODEL',
      './checkpoint',
      'FREEZE.SAVE_DIR',
      './freeze_model',
    ],
    cwd: work,
  });
}

/** Writes `<work>/checkpoint`; returns the config, files and bytes written, parameter count and weight bytes. */
export async function writeFullPspnetCheckpoint(work) {
  const { writeSyntheticCheckpoint } = await import(dist('quickstart/synthetic-checkpoint.js'));
  const { buildPredictProgram } = await import(dist('models/model-builder.js'));
  const { paramSpecs } = await import(dist('program/program.js'));
  const cfg = await fullPspnetConfig(work);
  const written = await writeSyntheticCheckpoint(cfg, join(work, 'checkpoint'));
  const params = paramSpecs(buildPredictProgram(cfg));
  const weightBytes = params.reduce((n, p) => n + 4 * p.dims.reduce((a, b) => a * b, 1), 0);
  return { cfg, ...written, params: params.length, weightBytes };
}
