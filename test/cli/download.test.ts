import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelTgz, paddleParameterFiles, readTree } from '../download/fixtures.js';
import { startServer, type TestServer } from '../download/server.js';
import { runCli, tempDir } from '../helpers.js';

let work: { dir: string; cleanup: () => Promise<void> };
let server: TestServer;
beforeEach(async () => {
  work = await tempDir('pdseg-clidl-');
  server = await startServer();
});
afterEach(async () => {
  await server.close();
  await work.cleanup();
});

const PATH = '/models/pspnet50_cityscapes.tgz';
const target = () => join(work.dir, 'out', 'pretrained_model', 'pspnet50_bn_cityscapes');

function expectAllFiles(): void {
  const tree = readTree(target());
  for (const [rel, data] of paddleParameterFiles()) expect(tree.get(rel)?.equals(data), rel).toBe(true);
}

describe('pdseg download (built CLI)', () => {
  it('downloads pspnet50_bn_cityscapes from a mirror into --dir, with progress lines', async () => {
    const tgz = modelTgz(work.dir, 'pspnet50_cityscapes');
    server.routes.set(PATH, { body: tgz });
    const args = [
      'download',
      'pspnet50_bn_cityscapes',
      '--mirror',
      server.origin,
      '--dir',
      join(work.dir, 'out'),
    ];
    const r = await runCli(args);
    expect(r.stderr).toMatch(
      /download pspnet50_bn_cityscapes: [\d.]+ (KiB|MiB) \/ [\d.]+ (KiB|MiB) \(100\.0%\)/,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 downloaded, 0 skipped, 0 failed');
    expect(server.requests.map((q) => q.path)).toEqual([PATH]);
    expectAllFiles();
    expect(readdirSync(join(work.dir, 'out', 'pretrained_model'))).toEqual(['pspnet50_bn_cityscapes']);

    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already present');
    expect(again.stdout).toContain('0 downloaded, 1 skipped, 0 failed');
    expect(server.requests).toHaveLength(1);
  });

  it('resumes after a dropped connection (PDSEG_MIRROR)', async () => {
    const tgz = modelTgz(work.dir, 'pspnet50_cityscapes');
    server.routes.set(PATH, { body: tgz, dropAfterBytes: Math.floor(tgz.length / 2) });
    const r = await runCli(['download', 'pspnet50_bn_cityscapes', '--dir', join(work.dir, 'out')], {
      env: { PDSEG_MIRROR: server.origin },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/retrying in/);
    expect(r.stderr).toMatch(/resuming at byte [1-9]/);
    expect(server.requests[1].range).toMatch(/^bytes=[1-9]\d*-$/);
    expectAllFiles();
  });

  it('exits 1 on a 404, naming URL and status, and leaves no target', async () => {
    const r = await runCli([
      'download',
      'optic',
      'pspnet50_bn_cityscapes',
      '--mirror',
      server.origin,
      '--dir',
      join(work.dir, 'out'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `[DOWNLOAD_HTTP]: download of ${server.origin}/dataset/optic_disc_seg.zip failed: HTTP 404`,
    );
    expect(r.stdout).toContain('0 downloaded, 0 skipped, 2 failed');
    expect(existsSync(target())).toBe(false);
    expect(existsSync(join(work.dir, 'out', 'dataset', 'optic_disc_seg'))).toBe(false);
  });

  it('exits 2 on an unknown name and lists names with --list', async () => {
    const bad = await runCli(['download', 'pspnet50_cityscapes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[DOWNLOAD_UNKNOWN_NAME]');
    expect(bad.stderr).toContain("'pspnet50_bn_cityscapes'");
    const list = await runCli(['download', '--list', '--dir', work.dir], {
      env: { PDSEG_MIRROR: 'http://127.0.0.1:9' },
    });
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(40);
    expect(lines[1]).toMatch(
      /^mobilenetv3_large_ssld_imagenet\s+model\s+-\s+no\s+http:\/\/127\.0\.0\.1:9\/models\//,
    );
    expect(list.stdout).toMatch(
      /optic_disc_seg\s+dataset\s+optic\s+no\s+http:\/\/127\.0\.0\.1:9\/dataset\/optic_disc_seg\.zip/,
    );
  });
});
