/**
 * `pdseg job --name N --image IMG --shards N --model P --list P --data-dir P --output P
 * [--volume CLAIM:/mount[:ro]…] [--parallelism P] [--retries R] [--threads T] [--cpu C]
 * [--memory M] [--out FILE]`: writes the Kubernetes Indexed Job manifest of a sharded
 * `pdseg predict` (scale/indexed-job.ts). Paths are the container's.
 */
import type { Command } from 'commander';
import type { CliContext } from './commands.js';
import { intFlag } from './int-flag.js';

interface JobFlags {
  name: string;
  image: string;
  shards: string;
  model: string;
  list: string;
  dataDir: string;
  output: string;
  volume?: string[];
  parallelism?: string;
  retries?: string;
  threads?: string;
  cpu?: string;
  memory?: string;
  out?: string;
}

/** Registers `job`. */
export function define(program: Command, context: CliContext): void {
  program
    .command('job')
    .description(
      'write a Kubernetes Indexed Job manifest that runs pdseg predict in N shards (kubectl apply -f)',
    )
    .requiredOption('--name <name>', 'Job name (a DNS label)')
    .requiredOption('--image <image>', 'container image with pdseg installed')
    .requiredOption('--shards <n>', 'completions: one shard per index')
    .requiredOption('--model <path>', 'model.onnx inside the container')
    .requiredOption('--list <path>', 'the image list (PaddleSeg list format) inside the container')
    .requiredOption('--data-dir <path>', 'root of the list entries inside the container')
    .requiredOption('--output <path>', 'output folder inside the container (shared by all shards)')
    .option('--volume <spec...>', 'PersistentVolumeClaim mounts, CLAIM:/mount/path[:ro]')
    .option('--parallelism <n>', 'pods at once (default: all shards)')
    .option('--retries <n>', 'backoffLimitPerIndex: retries of one index (default 3)')
    .option('--threads <n>', 'onnxruntime threads per pod')
    .option('--cpu <q>', 'CPU request per pod (e.g. 2)')
    .option('--memory <q>', 'memory request and limit per pod (e.g. 4Gi)')
    .option('--out <file>', 'write the manifest here (default: stdout)')
    .action(async (o: JobFlags) => {
      const { indexedJob, indexedJobYaml, parseVolume } = await import('../scale/indexed-job.js');
      const job = indexedJob({
        name: o.name,
        image: o.image,
        shards: intFlag(o.shards, '--shards', 1)!,
        parallelism: intFlag(o.parallelism, '--parallelism', 1),
        retries: intFlag(o.retries, '--retries', 0),
        threads: intFlag(o.threads, '--threads', 1),
        model: o.model,
        list: o.list,
        dataDir: o.dataDir,
        output: o.output,
        volumes: (o.volume ?? []).map(parseVolume),
        cpu: o.cpu,
        memory: o.memory,
      });
      const text = indexedJobYaml(job);
      if (o.out) {
        const { writeFileAtomic } = await import('../util/atomic.js');
        await writeFileAtomic(o.out, text);
        context.out(`wrote ${o.out}: Indexed Job "${o.name}", ${o.shards} shards\n`);
      } else {
        context.out(text);
      }
    });
}
