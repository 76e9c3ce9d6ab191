import { describe, expect, it } from 'vitest';
import { applyMirror } from '../../src/download/mirror.js';
import { PdsegError } from '../../src/errors.js';

describe('applyMirror', () => {
  const url = 'https://paddleseg.bj.bcebos.com/models/pspnet50_cityscapes.tgz';

  it('replaces scheme and host and keeps the path', () => {
    expect(applyMirror(url, 'http://127.0.0.1:8000')).toBe(
      'http://127.0.0.1:8000/models/pspnet50_cityscapes.tgz',
    );
    expect(applyMirror(url, 'http://127.0.0.1:8000/')).toBe(
      'http://127.0.0.1:8000/models/pspnet50_cityscapes.tgz',
    );
  });

  it('uses a mirror path as a prefix', () => {
    expect(applyMirror(url, 'https://cache.local/paddle/')).toBe(
      'https://cache.local/paddle/models/pspnet50_cityscapes.tgz',
    );
  });

  it('leaves the URL alone without a mirror', () => {
    expect(applyMirror(url, undefined)).toBe(url);
    expect(applyMirror(url, '')).toBe(url);
  });

  it('rejects a mirror that is not an http(s) URL', () => {
    for (const bad of ['ftp://x/', 'not a url', 'http://h/?q=1']) {
      let caught: unknown;
      try {
        applyMirror(url, bad);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PdsegError);
      expect((caught as PdsegError).code).toBe('USAGE');
      expect((caught as PdsegError).message).toContain(`--mirror '${bad}'`);
    }
  });
});
