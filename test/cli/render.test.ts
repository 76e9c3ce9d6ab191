import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRenderer, formatBytes, formatDuration, formatProgress } from '../../src/cli/render.js';

function sinkStream() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('render', () => {
  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(187_187_666)).toBe('178.5 MiB');
    expect(formatDuration(70)).toBe('1m10s');
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(3720)).toBe('1h02m');
  });

  it('formats image progress like 37/120 · 1.2 img/s · ETA 1m10s', () => {
    const text = formatProgress({
      type: 'progress',
      task: 'predict',
      done: 37,
      total: 120,
      unit: 'items',
      itemName: 'img',
      rate: 1.2,
      etaSeconds: 70,
    });
    expect(text).toBe('predict: 37/120 · 1.2 img/s · ETA 1m10s');
  });

  it('formats item progress like 37/120 · 1.2/s · ETA 1m10s', () => {
    const text = formatProgress({
      type: 'progress',
      task: 'predict',
      done: 37,
      total: 120,
      unit: 'items',
      rate: 1.2,
      etaSeconds: 70,
    });
    expect(text).toBe('predict: 37/120 · 1.2/s · ETA 1m10s');
  });

  it('throttles plain progress lines but always prints the last one', () => {
    const { stream, text } = sinkStream();
    const r = createRenderer({ tty: false, stream, plainIntervalMs: 60_000 });
    for (let i = 1; i <= 10; i++) r.sink({ type: 'progress', task: 't', done: i, total: 10, unit: 'items' });
    r.sink({ type: 'info', task: 't', message: 'finished' });
    const lines = text().trim().split('\n');
    expect(lines).toEqual(['t: 1/10', 't: 10/10', 'finished']);
  });
});
