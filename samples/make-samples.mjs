// Regenerates the sample images of `pdseg quickstart --offline` from the shared CC0
// fundus photograph (scikit-image `retina.jpg`): node samples/make-samples.mjs <retina.jpg>
import { join } from 'node:path';
import sharp from 'sharp';

const src = process.argv[2] ?? '../shared/testdata/images/retina.jpg';
const out = new URL('.', import.meta.url).pathname;
const jpeg = { quality: 88, mozjpeg: false };
// Whole fundus, downscaled.
await sharp(src).resize(480, 480).jpeg(jpeg).toFile(join(out, 'fundus_full.jpg'));
// Optic disc region (it sits near the left edge of this photograph), downscaled.
await sharp(src)
  .extract({ left: 0, top: 330, width: 520, height: 520 })
  .resize(320, 320)
  .jpeg(jpeg)
  .toFile(join(out, 'fundus_disc.jpg'));
// Macula region, a landscape crop.
await sharp(src)
  .extract({ left: 345, top: 465, width: 720, height: 480 })
  .resize(360, 240)
  .jpeg(jpeg)
  .toFile(join(out, 'fundus_macula.jpg'));
