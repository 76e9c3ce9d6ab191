import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveItem } from '../../src/download/index.js';
import {
  archiveStem,
  buildRegistry,
  defaultEntries,
  type RegistryEntry,
} from '../../src/download/registry.js';
import { PdsegError } from '../../src/errors.js';
import { SHARED } from '../helpers.js';

/** Rows `| \`name\` | \`url\` …` of one spec section, read from the spec itself. */
function specRows(section: string, next: string): [string, string][] {
  const text = readFileSync(join(SHARED, 'spec', 'paddleseg-static.md'), 'utf8');
  const body = text.slice(text.indexOf(section), text.indexOf(next));
  return [...body.matchAll(/^\| `([^`]+)` \| `(https:[^`]+)`/gm)].map((m) => [m[1], m[2]]);
}

describe('download registry', () => {
  const entries = defaultEntries();

  it('has the 34 models of spec §3.1 in PaddleSeg order with their URLs', () => {
    const rows = specRows('### 3.1 Model table', '### 3.2');
    expect(rows).toHaveLength(34);
    const models = entries.filter((e) => e.kind === 'model');
    expect(models.map((e) => [e.name, e.url])).toEqual(rows);
    expect(models.find((e) => e.name === 'pspnet50_bn_cityscapes')?.folder).toBe(
      'pretrained_model/pspnet50_bn_cityscapes',
    );
  });

  it('has the five datasets of spec §3.3, each in dataset/<archive stem>', () => {
    const datasets = entries.filter((e) => e.kind === 'dataset');
    expect(datasets.map((e) => e.folder)).toEqual([
      'dataset/optic_disc_seg',
      'dataset/mini_pet',
      'dataset/cityscapes',
      'dataset/MiniDeepGlobeRoadExtraction',
      'dataset/VOCtrainval_11-May-2012',
    ]);
    expect(resolveItem('optic').url).toBe('https://paddleseg.bj.bcebos.com/dataset/optic_disc_seg.zip');
  });

  it('drops only the last extension for the stem (spec §3.2 step 2)', () => {
    expect(archiveStem('https://h/models/icnet_cityscapes.tar.gz')).toBe('icnet_cityscapes.tar');
    expect(archiveStem('https://h/dataset/optic_disc_seg.zip')).toBe('optic_disc_seg');
  });

  it('rejects a duplicate key, including an alias that repeats a name', () => {
    const a: RegistryEntry = {
      name: 'a',
      kind: 'model',
      url: 'https://h/a.tgz',
      folder: 'pretrained_model/a',
      aliases: [],
    };
    const b: RegistryEntry = { ...a, name: 'b', aliases: ['a'] };
    expect(() => buildRegistry([a, b])).toThrow(PdsegError);
    expect(() => buildRegistry([a, b])).toThrow(/duplicate key 'a'/);
  });

  it('names the nearest names for an unknown one', () => {
    let caught: unknown;
    try {
      resolveItem('pspnet50_cityscapes');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PdsegError);
    expect((caught as PdsegError).code).toBe('DOWNLOAD_UNKNOWN_NAME');
    expect((caught as PdsegError).message).toContain("'pspnet50_bn_cityscapes'");
  });
});
