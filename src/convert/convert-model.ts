/**
 * `pdseg convert`: a Paddle inference model folder → `OUT/model.onnx` + `OUT/deploy.yaml`,
 * through the same op table `pdseg export` uses. The folder may hold `__model__` +
 * `__params__` (PaddleSeg's `export_model.py`), the files its `deploy.yaml` names
 * (`FREEZE.MODEL_FILENAME`/`PARAMS_FILENAME`), `model` + `params`, one file per variable,
 * or `*.pdmodel` + `*.pdiparams` (Paddle 2.x). Everything is checked before OUT is created —
 * the program, the ops (all unsupported types reported together), one feed and one fetch,
 * every parameter's record against its VarDesc — and the weights are streamed from the
 * parameter file into the ONNX file. Metadata comes from `--cfg`, else the folder's
 * `deploy.yaml`, else PaddleSeg's defaults with the sizes the program states.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { loadConfig, type SegConfig } from '../config/index.js';
import { PdsegError } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';
import { deployYaml, MODEL_FILENAME } from '../export/deploy-yaml.js';
import type { ExportConfig } from '../export/export-config.js';
import { modelMetadata } from '../export/metadata.js';
import { encodeModelStream } from '../onnx/encode.js';
import { type Checkpoint, COMBINED_NAMES, PROGRAM_NAMES } from '../paddle/checkpoint.js';
import { openCombined } from '../paddle/checkpoint-combined.js';
import { openPerFile } from '../paddle/checkpoint-per-file.js';
import { compareBytewise, decodeProgramDesc } from '../paddle/program-desc.js';
import { lowerToOnnx } from '../program/lower-onnx.js';
import { fromProgramDesc } from '../program/paddle-format.js';
import { feedTargets, fetchTargets, type Program, parameters } from '../program/program.js';
import { ensureOutputDir, writeFileAtomic } from '../util/atomic.js';
import { pdsegVersion } from '../version.js';

/** Options of {@link convertModel}. */
export interface ConvertOptions {
  /** Output folder (created; `model.onnx` and `deploy.yaml` are written into it). */
  output: string;
  /** A checked config to take the metadata from (`--cfg`), instead of the folder's deploy.yaml. */
  config?: SegConfig;
  onEvent?: ProgressSink;
  /** Folder relative paths are resolved against (default `process.cwd()`). */
  cwd?: string;
}

/** What {@link convertModel} read and wrote. */
export interface ConvertResult {
  modelPath: string;
  deployPath: string;
  /** The program file and the parameter file (or folder, for one file per variable) read. */
  programFile: string;
  paramsSource: string;
  /** Where the metadata came from. */
  metadataFrom: 'config' | 'deploy.yaml' | 'defaults';
  ops: number;
  nodes: number;
  weightBytes: number;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The `DEPLOY:` mapping of a PaddleSeg `deploy.yaml`, when the folder has one. */
async function readDeploy(dir: string): Promise<Record<string, unknown> | undefined> {
  const path = join(dir, 'deploy.yaml');
  if (!(await isFile(path))) return undefined;
  let doc: unknown;
  try {
    doc = loadYaml(await readFile(path, 'utf8'));
  } catch (e) {
    throw new PdsegError('MODEL_FORMAT', `"${path}" is not YAML: ${(e as Error).message}; fix or remove it`, {
      cause: e,
    });
  }
  const deploy = (doc as { DEPLOY?: unknown } | null)?.DEPLOY;
  if (typeof deploy !== 'object' || deploy === null) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `"${path}" has no DEPLOY: mapping (PaddleSeg's export_model.py writes one)`,
    );
  }
  return deploy as Record<string, unknown>;
}

interface ModelFiles {
  program: string;
  /** A combined parameter file, or undefined for one file per variable. */
  params?: string;
}

/** Finds the program and parameter files of `dir` (see the module comment). */
async function findFiles(dir: string, deploy: Record<string, unknown> | undefined): Promise<ModelFiles> {
  const listing = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    throw new PdsegError(
      'IO',
      `cannot read the model folder "${dir}": ${e.code ?? e.message}; pass the folder export_model.py wrote`,
    );
  });
  const named = (key: string) => {
    const v = deploy?.[key];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const pdmodels = listing.filter((n) => extname(n) === '.pdmodel').sort();
  const candidates = [named('MODEL_FILENAME'), ...PROGRAM_NAMES, ...pdmodels].filter(
    (n, i, a): n is string => n !== undefined && a.indexOf(n) === i,
  );
  let program: string | undefined;
  for (const n of candidates) {
    if (await isFile(join(dir, n))) {
      program = n;
      break;
    }
  }
  if (!program) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `no Paddle program in "${dir}": looked for ${candidates.map((c) => `"${c}"`).join(', ')} and *.pdmodel` +
        (deploy ? ' (deploy.yaml MODEL_FILENAME included)' : '') +
        '; pass the folder PaddleSeg export_model.py (or paddle.jit.save) wrote',
    );
  }
  const stem = basename(program, extname(program));
  const paramNames = [named('PARAMS_FILENAME'), ...COMBINED_NAMES, `${stem}.pdiparams`].filter(
    (n, i, a): n is string => n !== undefined && a.indexOf(n) === i,
  );
  for (const n of paramNames) {
    if (await isFile(join(dir, n))) return { program: join(dir, program), params: join(dir, n) };
  }
  return { program: join(dir, program) };
}

function checkProgram(program: Program, file: string): { feed: string; fetch: string } {
  const feeds = feedTargets(program);
  const fetches = fetchTargets(program);
  if (feeds.length !== 1) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `"${file}" has ${feeds.length} feed targets (${feeds.join(', ') || 'none'}); pdseg converts segmentation models with exactly one input, the image`,
    );
  }
  if (fetches.length !== 1) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `"${file}" has ${fetches.length} fetch targets (${fetches.join(', ') || 'none'}); pdseg converts models with exactly one output (PaddleSeg's softmax); export only the prediction`,
    );
  }
  for (const v of parameters(program)) {
    if (v.dtype !== 'float32') {
      throw new PdsegError(
        'WEIGHT_FORMAT',
        `parameter "${v.name}" of "${file}" is ${v.dtype}; pdseg converts float32 (FP32) models only`,
      );
    }
  }
  return { feed: feeds[0]!, fetch: fetches[0]! };
}

/** Opens the parameters and checks every record against the program's VarDescs. */
async function openParameters(program: Program, files: ModelFiles, dir: string): Promise<Checkpoint> {
  const params = parameters(program).sort((a, b) => compareBytewise(a.name, b.name));
  const names = params.map((v) => v.name);
  const expected = params.map((v) => ({ name: v.name, dims: [...v.shape], dtype: v.dtype }));
  const checkpoint = files.params
    ? await openCombined(files.params, [
        { label: `the persistable variables of "${files.program}"`, names, expected },
      ])
    : await openPerFile(dir).catch((e: unknown) => {
        throw new PdsegError(
          'WEIGHT_MISSING',
          `no parameter file beside "${files.program}" (looked for __params__, params, *.pdiparams and the deploy.yaml PARAMS_FILENAME) and no per-variable files: ${(e as Error).message}`,
          { cause: e },
        );
      });
  try {
    for (const v of parameters(program)) {
      const info = checkpoint.info(v.name);
      if (!info) {
        throw new PdsegError(
          'WEIGHT_MISSING',
          `parameter "${v.name}" of "${files.program}" is not in "${checkpoint.path}"`,
        );
      }
      if (info.dtype !== 'float32') {
        throw new PdsegError(
          'WEIGHT_FORMAT',
          `parameter "${v.name}" in "${checkpoint.path}" is ${info.dtype}; pdseg converts float32 (FP32) models only`,
        );
      }
      const same = info.dims.length === v.shape.length && info.dims.every((d, i) => d === v.shape[i]);
      if (!same) {
        throw new PdsegError(
          'WEIGHT_SHAPE_MISMATCH',
          `parameter "${v.name}" in "${checkpoint.path}" has shape [${info.dims.join(', ')}], its VarDesc in "${files.program}" says [${v.shape.join(', ')}]`,
        );
      }
    }
    return checkpoint;
  } catch (e) {
    await checkpoint.close();
    throw e;
  }
}

/** `KEY VALUE` overrides that carry a deploy.yaml's fields into a config. */
function deployOverrides(deploy: Record<string, unknown>): string[] {
  const words: string[] = [];
  const crop = deploy.EVAL_CROP_SIZE;
  if (typeof crop === 'string' || Array.isArray(crop))
    words.push('EVAL_CROP_SIZE', Array.isArray(crop) ? `[${crop.join(', ')}]` : crop);
  for (const [key, target] of [
    ['MEAN', 'MEAN'],
    ['STD', 'STD'],
  ] as const) {
    const v = deploy[key];
    if (Array.isArray(v)) words.push(target, `[${v.join(', ')}]`);
  }
  if (typeof deploy.IMAGE_TYPE === 'string') words.push('DATASET.IMAGE_TYPE', deploy.IMAGE_TYPE);
  if (typeof deploy.NUM_CLASSES === 'number') words.push('DATASET.NUM_CLASSES', String(deploy.NUM_CLASSES));
  return words;
}

/** The metadata config: `--cfg`, else deploy.yaml, else defaults; sizes the program states fill gaps. */
async function metadataConfig(
  program: Program,
  io: { feed: string; fetch: string },
  o: { config?: SegConfig; deploy?: Record<string, unknown>; output: string },
): Promise<{ cfg: ExportConfig; from: ConvertResult['metadataFrom'] }> {
  const input = program.vars.get(io.feed)!.shape;
  const output = program.vars.get(io.fetch)?.shape ?? [];
  if (o.config)
    return { cfg: { ...o.config, FREEZE: { ...o.config.FREEZE, SAVE_DIR: o.output } }, from: 'config' };
  const words = o.deploy ? deployOverrides(o.deploy) : [];
  const has = (key: string) => words.includes(key);
  if (!has('EVAL_CROP_SIZE') && input.length === 4 && input[2]! > 0 && input[3]! > 0) {
    words.push('EVAL_CROP_SIZE', `(${input[3]}, ${input[2]})`);
  }
  if (!has('DATASET.NUM_CLASSES') && output.length === 4 && output[1]! > 0)
    words.push('DATASET.NUM_CLASSES', String(output[1]));
  if (input.length === 4 && input[1]! > 0) words.push('DATASET.DATA_DIM', String(input[1]));
  const crop = words[words.indexOf('EVAL_CROP_SIZE') + 1];
  // The checker wants a train crop too; a converted model has none of its own.
  if (has('EVAL_CROP_SIZE')) words.push('TRAIN_CROP_SIZE', crop!);
  words.push('FREEZE.SAVE_DIR', o.output);
  const cfg = await loadConfig({ overrides: words });
  return { cfg, from: o.deploy ? 'deploy.yaml' : 'defaults' };
}

/** Converts the Paddle inference model in `dir` (see the module comment). */
export async function convertModel(dir: string, options: ConvertOptions): Promise<ConvertResult> {
  const emit = options.onEvent ?? silent;
  const cwd = options.cwd ?? process.cwd();
  const source = resolve(cwd, dir);
  const deploy = await readDeploy(source);
  const files = await findFiles(source, deploy);
  emit({ type: 'info', task: 'convert', message: `reading ${files.program}` });
  const program = fromProgramDesc(
    decodeProgramDesc(new Uint8Array(await readFile(files.program)), files.program),
    files.program,
  );
  const io = checkProgram(program, files.program);
  // Lowering reports every op type outside the table before anything is read or written.
  const lowered = lowerToOnnx(program, { name: basename(source) || 'paddle' });
  const { cfg, from } = await metadataConfig(program, io, {
    config: options.config,
    deploy,
    output: options.output,
  });
  if (from === 'defaults') {
    emit({
      type: 'warn',
      task: 'convert',
      message: `no deploy.yaml in "${source}" and no --cfg: MEAN/STD/IMAGE_TYPE are PaddleSeg's defaults; pass --cfg with the training config if they differ`,
    });
  }
  const checkpoint = await openParameters(program, files, source);
  try {
    let bytes = 0;
    let done = 0;
    // Each tensor is read when the encoder reaches it; encodeModelStream starts a few loads
    // ahead, so reading overlaps writing.
    for (const [name, tensor] of lowered.parameters) {
      const info = checkpoint.info(name)!;
      const size = 4 * info.dims.reduce((a, b) => a * b, 1);
      bytes += size;
      tensor.rawDataSource = {
        byteLength: size,
        load: async () => {
          const t = await checkpoint.read(name);
          done += size;
          emit({ type: 'progress', task: 'weights', done, total: bytes, unit: 'bytes' });
          return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        },
      };
    }
    const model = lowered.builder.toModel({
      producerVersion: pdsegVersion(),
      metadata: modelMetadata(cfg, { version: pdsegVersion(), input: io.feed, output: io.fetch }),
      docString: `Paddle inference model "${files.program}" converted by pdseg`,
    });
    const out = resolve(cwd, options.output);
    await ensureOutputDir(out, '--output');
    const modelPath = join(out, MODEL_FILENAME);
    await writeFileAtomic(modelPath, encodeModelStream(model));
    const deployPath = join(out, 'deploy.yaml');
    await writeFileAtomic(deployPath, deployYaml(cfg));
    emit({
      type: 'done',
      task: 'convert',
      message: `wrote ${modelPath} (${model.graph.node.length} nodes from ${program.ops.length} Paddle ops)`,
    });
    return {
      modelPath,
      deployPath,
      programFile: files.program,
      paramsSource: files.params ?? source,
      metadataFrom: from,
      ops: program.ops.length,
      nodes: model.graph.node.length,
      weightBytes: bytes,
    };
  } finally {
    await checkpoint.close();
  }
}
