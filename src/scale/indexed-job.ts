/**
 * A Kubernetes Indexed Job that runs `pdseg predict` in N shards: Kubernetes starts one pod
 * per completion index and sets `JOB_COMPLETION_INDEX`; pdseg takes every N-th image of
 * the list from that index (predict/shard.ts), skips outputs a failed attempt already wrote,
 * and exits with codes the `podFailurePolicy` maps: 2 (bad usage/config/model) and 3 (bad
 * images) fail the index at once; any other failure (75 transient, OOM, eviction) is retried
 * up to `backoffLimitPerIndex` times, and node disruptions are not counted
 * (`DisruptionTarget` → Ignore). Typed with `@kubernetes/client-node`'s models.
 */
import type { V1Job, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { PdsegError } from '../errors.js';
import { SHARD_EXIT } from '../predict/shard.js';

/** One volume: a PersistentVolumeClaim mounted at a path. */
export interface JobVolume {
  claim: string;
  mountPath: string;
  readOnly: boolean;
}

/** What the Job runs. */
export interface IndexedJobOptions {
  name: string;
  image: string;
  shards: number;
  /** Pods at once (default: all shards). */
  parallelism?: number;
  /** Retries per index (default 3). */
  retries?: number;
  /** Paths inside the container. */
  model: string;
  list: string;
  dataDir: string;
  output: string;
  volumes: readonly JobVolume[];
  /** onnxruntime threads per pod (default: the pod's cores). */
  threads?: number;
  cpu?: string;
  memory?: string;
  /** The command that starts pdseg in the image (default `pdseg`). */
  command?: readonly string[];
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Parses `--volume CLAIM:/mount[:ro]`. */
export function parseVolume(text: string): JobVolume {
  const m = /^([^:]+):(\/[^:]*)(:ro)?$/.exec(text);
  if (!m || !NAME.test(m[1]!)) {
    throw new PdsegError(
      'USAGE',
      `--volume "${text}" must be CLAIM:/mount/path or CLAIM:/mount/path:ro, CLAIM a PersistentVolumeClaim name (lower case, digits, '-')`,
    );
  }
  return { claim: m[1]!, mountPath: m[2]!, readOnly: m[3] !== undefined };
}

/** The Job object. */
export function indexedJob(o: IndexedJobOptions): V1Job {
  if (!NAME.test(o.name)) {
    throw new PdsegError(
      'USAGE',
      `--name "${o.name}" must be a DNS label: lower case letters, digits and '-', at most 63`,
    );
  }
  if (!Number.isInteger(o.shards) || o.shards < 1 || o.shards > 100_000) {
    throw new PdsegError(
      'USAGE',
      `--shards ${o.shards} must be a whole number from 1 to 100000 (an Indexed Job's completions)`,
    );
  }
  const volumeName = (i: number) => `data-${i}`;
  const volumes: V1Volume[] = o.volumes.map((v, i) => ({
    name: volumeName(i),
    persistentVolumeClaim: { claimName: v.claim, readOnly: v.readOnly },
  }));
  const mounts: V1VolumeMount[] = o.volumes.map((v, i) => ({
    name: volumeName(i),
    mountPath: v.mountPath,
    readOnly: v.readOnly,
  }));
  const args = [
    'predict',
    '--model',
    o.model,
    '--list',
    o.list,
    '--output',
    o.output,
    '--shards',
    String(o.shards),
    '--skip-existing',
    '--data-dir',
    o.dataDir,
    ...(o.threads ? ['--threads', String(o.threads)] : []),
  ];
  const resources =
    o.cpu || o.memory
      ? {
          requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) },
          limits: { ...(o.memory ? { memory: o.memory } : {}) },
        }
      : undefined;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: o.name,
      labels: { 'app.kubernetes.io/name': 'pdseg', 'app.kubernetes.io/component': 'predict' },
    },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: Math.min(o.parallelism ?? o.shards, o.shards),
      backoffLimitPerIndex: o.retries ?? 3,
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          {
            action: 'FailIndex',
            onExitCodes: {
              containerName: 'pdseg',
              operator: 'In',
              values: [SHARD_EXIT.usage, SHARD_EXIT.badInput],
            },
          },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'pdseg' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'pdseg',
              image: o.image,
              command: [...(o.command ?? ['pdseg'])],
              args,
              env: [
                { name: 'PDSEG_SHARDS', value: String(o.shards) },
                { name: 'CI', value: '1' },
              ],
              ...(resources ? { resources } : {}),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

/** The Job as YAML, with a comment saying how to run and watch it. */
export function indexedJobYaml(job: V1Job): string {
  const name = job.metadata?.name;
  return (
    `# pdseg predict in ${job.spec?.completions} shards. kubectl apply -f this.yaml; kubectl get job ${name} -w\n` +
    `# Exit codes: 2/3 fail an index (bad config/model or images), others are retried (backoffLimitPerIndex).\n` +
    dump(job, { noRefs: true, lineWidth: 120 })
  );
}
