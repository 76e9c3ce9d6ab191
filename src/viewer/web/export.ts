/**
 * Export of the whole current view (not just the visible part) as SVG and PNG (issue 6).
 * PNG is scaled down so the bitmap stays within the browser's canvas limits, never cropped.
 */
import type { Scene } from '../layout-plan.js';
import { clear, SVG_NS, s } from './dom.js';
import { arrowDefs, type BoxContent, boxElement, edgeElements } from './render.js';

/** The canvas CSS rules (`svg.graph …`) of the page, inlined so the file renders alone. */
function canvasCss(): string {
  const out: string[] = [];
  for (const sheet of Array.from(document.styleSheets)) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // a cross-origin sheet: not ours
    }
    for (const r of Array.from(rules)) if (r.cssText.startsWith('svg.graph')) out.push(r.cssText);
  }
  return out.join('\n');
}

/** Serialises the full scene as a standalone SVG document. */
export function sceneToSvg(scene: Scene, content: (i: number) => BoxContent, keys: string[]): string {
  const pad = 20;
  const root = document.createElementNS(SVG_NS, 'svg');
  root.setAttribute('xmlns', SVG_NS);
  root.setAttribute('class', 'graph');
  root.setAttribute('width', String(Math.ceil(scene.width + 2 * pad)));
  root.setAttribute('height', String(Math.ceil(scene.height + 2 * pad)));
  root.setAttribute(
    'viewBox',
    `${-pad} ${-pad} ${Math.ceil(scene.width + 2 * pad)} ${Math.ceil(scene.height + 2 * pad)}`,
  );
  root.appendChild(s('style', {}, canvasCss()));
  root.appendChild(arrowDefs());
  root.appendChild(
    s('rect', {
      x: -pad,
      y: -pad,
      width: scene.width + 2 * pad,
      height: scene.height + 2 * pad,
      fill: '#f6f7f9',
    }),
  );
  const frames = s('g');
  const edges = s('g');
  const nodes = s('g');
  scene.boxes.forEach((b, i) => {
    (b.frame ? frames : nodes).appendChild(boxElement(b, keys[i]!, content(i), true));
  });
  for (const e of scene.edges) for (const el of edgeElements(e, true)) edges.appendChild(el);
  root.append(frames, edges, nodes);
  const text = new XMLSerializer().serializeToString(root);
  clear(root);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${text}`;
}

/** Offers `data` as a download called `name`. */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Scale for the PNG: up to 2× for sharpness, down so the bitmap stays below ~120 MP and 16k px a side. */
export function pngScale(width: number, height: number): number {
  return Math.min(
    2,
    16000 / Math.max(1, width),
    16000 / Math.max(1, height),
    Math.sqrt(1.2e8 / Math.max(1, width * height)),
  );
}

/** Renders SVG text into a PNG blob. */
export async function svgToPng(svgText: string, width: number, height: number): Promise<Blob> {
  const scale = pngScale(width, height);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.floor(width * scale));
    canvas.height = Math.max(1, Math.floor(height * scale));
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))),
        'image/png',
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
