/**
 * Writes a Paddle inference model as `fluid.io.save_inference_model` does (spec §5.3, §9.8):
 * the program as `__model__` (a `ProgramDesc`) and every persistable LoDTensor as one
 * record of a combined `__params__`, back to back in byte-wise name order. Each tensor's
 * bytes are read only when its record is written, so the weights pass through memory once;
 * both files are written to a temporary name and renamed into place.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeTensorHeader } from '../paddle/lod-tensor.js';
import { compareBytewise, encodeProgramDesc } from '../paddle/program-desc.js';
import { writeFileAtomic } from '../util/atomic.js';
import { toProgramDesc } from './paddle-format.js';
import { type Program, parameters } from './program.js';

/** Options of {@link writeInferenceModel}. */
export interface InferenceModelFiles {
  /** `FREEZE.MODEL_FILENAME` (default `__model__`). */
  modelFilename?: string;
  /** `FREEZE.PARAMS_FILENAME` (default `__params__`). */
  paramsFilename?: string;
}

/** Writes `program` and its parameters (bytes from `read`) into `dir` (created); returns the two paths. */
export async function writeInferenceModel(
  dir: string,
  program: Program,
  read: (name: string) => Promise<Uint8Array>,
  files: InferenceModelFiles = {},
): Promise<{ modelPath: string; paramsPath: string; paramBytes: number }> {
  const modelPath = join(dir, files.modelFilename ?? '__model__');
  const paramsPath = join(dir, files.paramsFilename ?? '__params__');
  const params = parameters(program).sort((a, b) => compareBytewise(a.name, b.name));
  await mkdir(dir, { recursive: true });
  let paramBytes = 0;
  async function* records(): AsyncGenerator<Uint8Array> {
    for (const v of params) {
      const header = encodeTensorHeader({ name: v.name, dims: [...v.shape], dtype: v.dtype });
      const data = await read(v.name);
      paramBytes += header.length + data.length;
      yield header;
      yield data;
    }
  }
  await writeFileAtomic(paramsPath, records());
  await writeFileAtomic(modelPath, encodeProgramDesc(toProgramDesc(program)));
  return { modelPath, paramsPath, paramBytes };
}
