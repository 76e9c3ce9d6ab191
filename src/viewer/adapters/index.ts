/**
 * The format registry (issue 6): each adapter only recognises and decodes bytes into a
 * {@link ViewGraph}; {@link openModel} tries them in turn and, when none fits, throws ONE
 * `MODEL_FORMAT` error listing why each failed (STYLE.md §5: no silent fallbacks).
 * Browser-safe: the page opens dropped files with it.
 */
import { messageOf, PdsegError } from '../../errors.js';
import type { ViewGraph } from '../model.js';
import { decodeOnnxView, looksLikeOnnx } from './onnx.js';
import { decodePaddleView } from './paddle.js';

/** A format reader. */
export interface ModelAdapter {
  /** Format name, `onnx` or `paddle`. */
  format: string;
  /** Cheap guess from the name and first bytes; decides the order adapters are tried in. */
  likely(bytes: Uint8Array, fileName: string): boolean;
  /** Decodes, throwing when the bytes are not this format. */
  decode(bytes: Uint8Array, fileName: string): ViewGraph;
}

/** Options for decoding. */
export interface OpenOptions {
  /** Leading weight values kept per initializer. */
  headLength?: number;
}

/** The registered adapters, keyed by format (a duplicate key would be a programming error). */
export function adapters(options: OpenOptions = {}): ReadonlyMap<string, ModelAdapter> {
  const list: ModelAdapter[] = [
    {
      format: 'onnx',
      likely: (b, name) =>
        /\.onnx$/i.test(name) || (looksLikeOnnx(b) && !/(__model__|\.pdmodel)$/i.test(name)),
      decode: (b) => decodeOnnxView(b, options),
    },
    {
      format: 'paddle',
      likely: (_b, name) => /(^|[/\\])(__model__|[^/\\]*\.pdmodel)$/i.test(name),
      decode: (b, name) => decodePaddleView(b, name),
    },
  ];
  return new Map(list.map((a) => [a.format, a]));
}

/** Bytes and a graph with at least one node, or a reason why not. */
function accept(graph: ViewGraph, format: string): ViewGraph {
  if (graph.nodes.length === 0 && graph.inputs.length === 0 && graph.outputs.length === 0) {
    throw new Error(`decoded as ${format} but the graph is empty`);
  }
  return graph;
}

/**
 * Opens model bytes: tries the likely adapters first, then the rest. Throws `MODEL_FORMAT`
 * naming the file and, per format, why it was rejected (a truncated file says so).
 */
export function openModel(
  bytes: Uint8Array,
  fileName: string,
  options: OpenOptions = {},
): { format: string; graph: ViewGraph } {
  if (bytes.length === 0) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `'${fileName}' is empty (0 bytes); choose an .onnx, __model__ or .pdmodel file`,
    );
  }
  const all = [...adapters(options).values()];
  const ordered = [
    ...all.filter((a) => a.likely(bytes, fileName)),
    ...all.filter((a) => !a.likely(bytes, fileName)),
  ];
  const failures: string[] = [];
  for (const a of ordered) {
    try {
      return { format: a.format, graph: accept(a.decode(bytes, fileName), a.format) };
    } catch (e) {
      failures.push(`${a.format}: ${messageOf(e).replace(/\.+$/, '')}`);
    }
  }
  const truncated = failures.some((f) =>
    /truncat|end of (data|buffer|input)|past the end|ends inside|beyond/i.test(f),
  );
  throw new PdsegError(
    'MODEL_FORMAT',
    `'${fileName}' (${bytes.length} bytes) is not a model pdseg can show${truncated ? ' — it looks truncated' : ''}; ` +
      `tried ${failures.join('; ')}. Open an ONNX file (.onnx) or a Paddle program (__model__, .pdmodel).`,
  );
}
