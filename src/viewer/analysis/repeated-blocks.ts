/**
 * Repeated blocks among sibling scope groups. Each child group of a scope gets a
 * {@link structuralHash}; consecutive equal children form a run ("bottleneck (identity) × 2"),
 * and a run together with the one different block just before it forms a stage:
 * PSPNet's `resnet` scope reads res2 "bottleneck (projection) + bottleneck (identity) × 2",
 * res3 "… × 3", res4 "… × 5", res5 "… × 2". Groups that hash equal once attribute values
 * are ignored, but differ with them (stride, dilation), form a family of variants, with the
 * differing attributes listed.
 */
import { describeBlock } from './block-label.js';
import { type ScopeGroup, scopeGroups } from './scope-groups.js';
import {
  attributeText,
  baseLabels,
  hashString,
  refinedLabels,
  structuralAttributes,
  structuralHash,
} from './structural-hash.js';
import type { ViewGraph } from './view-types.js';

/** Consecutive sibling groups with one structure. */
export interface BlockRun {
  /** Keys (`'/'`-joined paths) of the member groups, in order. */
  members: string[];
  hash: string;
  /** Label of one member, e.g. `bottleneck (identity)`. */
  label: string;
}

/** A run, possibly led by one different block: what a reader calls a stage. */
export interface BlockStage {
  /** Member group keys in order. */
  members: string[];
  runs: BlockRun[];
  /** e.g. `bottleneck (projection) + bottleneck (identity) × 2`. */
  label: string;
}

/** The stages found among the children of one scope. */
export interface RepeatedChildren {
  /** Key of the parent scope. */
  parent: string;
  stages: BlockStage[];
}

/** One attribute that differs between the variants of a family. */
export interface FamilyDifference {
  /** Op type of the node that differs. */
  opType: string;
  /** Name of that node in the first variant's first member. */
  node: string;
  attribute: string;
  /** The attribute's value in each variant (same order as {@link BlockFamily.variants}), as text. */
  values: string[];
}

/** Groups equal but for attribute values. */
export interface BlockFamily {
  /** Label of the family (of its first member). */
  label: string;
  /** Each variant: the group keys that share one full structure. */
  variants: string[][];
  differences: FamilyDifference[];
}

/** Result of {@link findRepeatedBlocks}. */
export interface RepeatedBlocks {
  /** Scopes whose children contain at least one run of two or more equal groups. */
  repeated: RepeatedChildren[];
  /** Families with two or more variants. */
  families: BlockFamily[];
  /** Label and hash of every group of two or more nodes, by key. */
  blocks: Record<string, { label: string; hash: string; family: string }>;
}

/** Formats a stage label: `A + B × 2`. */
export function stageLabel(runs: readonly BlockRun[]): string {
  return runs.map((r) => (r.members.length > 1 ? `${r.label} × ${r.members.length}` : r.label)).join(' + ');
}

/** Finds repeated sibling groups and families in a scoped graph (see the module comment). */
export function findRepeatedBlocks(graph: ViewGraph): RepeatedBlocks {
  const groups = scopeGroups(graph);
  const blocks: RepeatedBlocks['blocks'] = {};
  // Groups can only hash equal when their op-type counts are equal: bucket by those first, and
  // give a group alone in its bucket the hash of its counts instead of a full refinement.
  const signatures = new Map<string, string>();
  const bucketSize = new Map<string, number>();
  for (const [key, group] of groups) {
    if (key === '' || group.nodes.length < 2) continue;
    const counts = new Map<string, number>();
    for (const i of group.nodes)
      counts.set(graph.nodes[i]!.opType, (counts.get(graph.nodes[i]!.opType) ?? 0) + 1);
    const signature = [...counts].sort().join(';');
    signatures.set(key, signature);
    bucketSize.set(signature, (bucketSize.get(signature) ?? 0) + 1);
  }
  const full = { baseLabels: baseLabels(graph) };
  const family = { attributeValues: false, baseLabels: baseLabels(graph, false) };
  for (const [key, signature] of signatures) {
    const group = groups.get(key)!;
    const alone = bucketSize.get(signature) === 1;
    blocks[key] = {
      label: describeBlock(graph, group.nodes),
      hash: alone ? hashString(`ops:${signature}`) : structuralHash(graph, group.nodes, full),
      family: alone ? hashString(`family:${signature}`) : structuralHash(graph, group.nodes, family),
    };
  }
  const repeated: RepeatedChildren[] = [];
  for (const [key, group] of groups) {
    const stages = stagesOf(group, blocks);
    if (stages.some((s) => s.runs.some((r) => r.members.length > 1))) repeated.push({ parent: key, stages });
  }
  return { repeated, families: familiesOf(graph, groups, blocks), blocks };
}

/** Runs and stages among one group's children; direct nodes break runs. */
function stagesOf(group: ScopeGroup, blocks: RepeatedBlocks['blocks']): BlockStage[] {
  const runs: Array<BlockRun | undefined> = [];
  for (const child of group.children) {
    const info = 'group' in child ? blocks[child.group] : undefined;
    const last = runs.at(-1);
    if (info === undefined) runs.push(undefined);
    else if (last !== undefined && last.hash === info.hash)
      last.members.push((child as { group: string }).group);
    else runs.push({ members: [(child as { group: string }).group], hash: info.hash, label: info.label });
  }
  const stages: BlockStage[] = [];
  for (let k = 0; k < runs.length; k++) {
    const run = runs[k];
    if (run === undefined) continue;
    const next = runs[k + 1];
    const parts =
      run.members.length === 1 && next !== undefined && next.members.length > 1 ? [run, next] : [run];
    k += parts.length - 1;
    if (parts.length === 1 && run.members.length === 1) continue;
    stages.push({ members: parts.flatMap((p) => p.members), runs: parts, label: stageLabel(parts) });
  }
  return stages;
}

/** Families: equal family hash, two or more distinct full hashes. */
function familiesOf(
  graph: ViewGraph,
  groups: Map<string, ScopeGroup>,
  blocks: RepeatedBlocks['blocks'],
): BlockFamily[] {
  const byFamily = new Map<string, Map<string, string[]>>();
  for (const [key, info] of Object.entries(blocks)) {
    let variants = byFamily.get(info.family);
    if (variants === undefined) {
      variants = new Map();
      byFamily.set(info.family, variants);
    }
    variants.set(info.hash, [...(variants.get(info.hash) ?? []), key]);
  }
  const families: BlockFamily[] = [];
  for (const variants of byFamily.values()) {
    if (variants.size < 2) continue;
    const lists = [...variants.values()];
    const reps = lists.map((keys) => aligned(graph, groups.get(keys[0]!)!.nodes));
    const differences: FamilyDifference[] = [];
    reps[0]!.forEach((node0, k) => {
      const attrs = reps.map((rep) => new Map(structuralAttributes(graph.nodes[rep[k]!]!.attributes)));
      for (const name of attrs[0]!.keys()) {
        const values = attrs.map((a) => (a.has(name) ? attributeText(a.get(name)!) : '(absent)'));
        if (new Set(values).size > 1) {
          differences.push({
            opType: graph.nodes[node0]!.opType,
            node: graph.nodes[node0]!.name,
            attribute: name,
            values,
          });
        }
      }
    });
    families.push({ label: blocks[lists[0]![0]!]!.label, variants: lists, differences });
  }
  return families;
}

/** Nodes of a group in a canonical order: by value-free refined label, then graph order. */
function aligned(graph: ViewGraph, nodes: readonly number[]): number[] {
  const labels = refinedLabels(graph, nodes, { attributeValues: false });
  return nodes
    .map((id, k) => [id, labels[k]!] as const)
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] - b[0]))
    .map(([id]) => id);
}
