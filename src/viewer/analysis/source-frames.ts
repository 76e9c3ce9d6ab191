/**
 * Parsers that turn the provenance text models carry into {@link SourceRef} frames,
 * innermost frame first (the order of `ViewNode.source`):
 * - pdseg's own `doc_string`: one `file:line function` frame per line
 *   (`src/models/backbone/resnet.ts:120 bottleneckBlock`);
 * - Paddle's `op_callstack` and PyTorch's `pkg.torch.onnx.stack_trace`: Python traceback
 *   text, `  File "…/pspnet.py", line 53, in psp_module`, outermost frame first;
 * - PyTorch's `pkg.torch.onnx.name_scopes`: the `repr()` of a list of cumulative module
 *   paths (`['', 'layer1', 'layer1.0', 'conv2d']`), turned into a scope path.
 */
import type { SourceRef } from './view-types.js';

const DOC_FRAME = /^\s*(\S+?):(\d+)(?::\d+)?(?:\s+([A-Za-z_$][\w$.<>]*))?\s*$/;
const PYTHON_FRAME = /File "([^"]+)", line (\d+)(?:, in ([^\s,]+))?/g;

/** Frames of a pdseg `doc_string`; lines that are not `file:line [function]` are skipped. */
export function parseDocFrames(doc: string): SourceRef[] {
  const frames: SourceRef[] = [];
  for (const line of doc.split('\n')) {
    const m = DOC_FRAME.exec(line);
    if (!m) continue;
    frames.push({ file: m[1]!, line: Number(m[2]), ...(m[3] ? { func: m[3] } : {}) });
  }
  return frames;
}

/**
 * Frames of a Python traceback (Paddle `op_callstack` entries, joined or not, or PyTorch
 * `stack_trace` text), reversed to innermost first.
 */
export function parsePythonFrames(text: string | readonly string[]): SourceRef[] {
  const joined = typeof text === 'string' ? text : text.join('\n');
  const frames: SourceRef[] = [];
  for (const m of joined.matchAll(PYTHON_FRAME)) {
    frames.push({ file: m[1]!, line: Number(m[2]), ...(m[3] ? { func: m[3] } : {}) });
  }
  return frames.reverse();
}

/**
 * Scope path from PyTorch's `pkg.torch.onnx.name_scopes` value. The entries are cumulative
 * module paths; the last one is the node's own name and is dropped. `layer1.0` under
 * `layer1` becomes the segment `0`. Returns `[]` for text that is not a list of strings.
 */
export function parseTorchNameScopes(text: string): string[] {
  const entries = [...text.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
  const modules = entries.slice(0, -1).filter((e) => e !== '');
  const scope: string[] = [];
  let previous = '';
  for (const path of modules) {
    scope.push(previous !== '' && path.startsWith(`${previous}.`) ? path.slice(previous.length + 1) : path);
    previous = path;
  }
  return scope;
}
