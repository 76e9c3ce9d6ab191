import { describe, expect, it } from 'vitest';
import { pngScale } from '../../src/viewer/web/export.js';
import { edgePath, edgeWidth } from '../../src/viewer/web/render.js';

describe('canvas helpers', () => {
  it('thickens edges with tensor size on a log scale, within bounds', () => {
    expect(edgeWidth(0)).toBe(1.2);
    expect(edgeWidth(1)).toBeGreaterThanOrEqual(1);
    expect(edgeWidth(1e3)).toBeLessThan(edgeWidth(1e6));
    expect(edgeWidth(1e12)).toBe(5);
  });

  it('draws straight segments for two points and smooth curves through more', () => {
    expect(
      edgePath([
        { x: 0, y: 0 },
        { x: 10, y: 20 },
      ]),
    ).toBe('M0.0,0.0L10.0,20.0');
    expect(
      edgePath([
        { x: 0, y: 0 },
        { x: 10, y: 10 },
        { x: 20, y: 0 },
      ]),
    ).toBe('M0.0,0.0Q10.0,10.0 15.0,5.0L20.0,0.0');
  });

  it('scales PNG exports up for small views and down to the canvas limits for huge ones', () => {
    expect(pngScale(800, 600)).toBe(2);
    const s = pngScale(2000, 500_000);
    expect(500_000 * s).toBeLessThanOrEqual(16_000);
    expect(2000 * 500_000 * s * s).toBeLessThanOrEqual(1.2e8 + 1);
  });
});
