/** The `--triton DIR` options export and convert share (scale/triton.ts). */
import { type Command, Option } from 'commander';

/** Parsed Triton flags. */
export interface TritonFlags {
  triton?: string;
  tritonName?: string;
  tritonHead?: 'softmax' | 'argmax';
  maxBatchSize?: string;
}

/** Adds `--triton`, `--triton-name`, `--triton-head`, `--max-batch-size`. */
export function addTritonOptions(cmd: Command): Command {
  return cmd
    .option(
      '--triton <dir>',
      'also write a Triton model repository entry: DIR/<name>/config.pbtxt + DIR/<name>/1/model.onnx',
    )
    .option('--triton-name <name>', 'the Triton model name (default MODEL.MODEL_NAME)')
    .addOption(
      new Option(
        '--triton-head <head>',
        'softmax: probabilities as exported; argmax: the uint8 class-id map predict uses',
      )
        .choices(['softmax', 'argmax'])
        .default('softmax'),
    )
    .option('--max-batch-size <n>', "Triton's max_batch_size with dynamic batching (default 8; 0 = none)");
}

/** Writes the repository entry for `modelPath`; returns the line to print. */
export async function writeTritonFromFlags(modelPath: string, o: TritonFlags): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { writeTritonRepository } = await import('../scale/triton.js');
  const r = await writeTritonRepository(await readFile(modelPath), {
    dir: o.triton!,
    name: o.tritonName,
    head: o.tritonHead,
    maxBatchSize: o.maxBatchSize === undefined ? undefined : Number(o.maxBatchSize),
  });
  return `Triton: ${r.configPath} (${r.output.name} ${r.output.dataType} [${r.output.dims.join(', ')}])\n`;
}
