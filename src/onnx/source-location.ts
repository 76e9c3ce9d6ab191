/**
 * Source locations of the model code (DESIGN.md, "The exported ONNX model": node
 * `doc_string` is `src/models/backbone/resnet.ts:120 bottleneckBlock`). They are read from a
 * V8 stack trace taken when a Paddle op is recorded (its `op_callstack`). Frames in compiled `dist/**.js` files are
 * mapped back to the `.ts` line with the source map tsc emits beside them; frames that
 * already name a `.ts` file (tests run the sources directly) are used as they are.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One parsed stack frame. */
export interface StackFrame {
  /** Function name as V8 prints it (`bottleneckBlock`, `GraphBuilder.conv`), or '' when anonymous. */
  fn: string;
  /** Absolute file path. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

const FRAME_WITH_NAME = /^\s*at (?:async )?(.*?) \((.*):(\d+):(\d+)\)$/;
const FRAME_BARE = /^\s*at (?:async )?(.*):(\d+):(\d+)$/;

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** Parses the frames of a V8 `Error.stack` string; lines that are not frames are skipped. */
export function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const text of stack.split('\n')) {
    let m = FRAME_WITH_NAME.exec(text);
    if (m) {
      frames.push({ fn: m[1]!, file: toPath(m[2]!), line: Number(m[3]), column: Number(m[4]) });
      continue;
    }
    m = FRAME_BARE.exec(text);
    if (m) frames.push({ fn: '', file: toPath(m[1]!), line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Decodes Source Map v3 `mappings` into per-line [generatedColumn, sourceIndex, sourceLine]
 * triples (source columns and names are not needed for a line-level location).
 */
function decodeMappings(mappings: string): Array<Array<[number, number, number]>> {
  const lines: Array<Array<[number, number, number]>> = [];
  let source = 0;
  let sourceLine = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Array<[number, number, number]> = [];
    let column = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      if (values.length >= 4) {
        source += values[1]!;
        sourceLine += values[2]!;
        segments.push([column, source, sourceLine]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

interface LoadedMap {
  sources: string[];
  lines: Array<Array<[number, number, number]>>;
}

/**
 * Turns stack frames into repository-relative frames at their `.ts` lines (the ops'
 * `op_callstack`). One instance caches the source maps it has read; create one per build
 * (no module state).
 */
export class SourceLocator {
  private readonly maps = new Map<string, LoadedMap | null>();

  /** @param root repository root; frames are reported relative to it. */
  constructor(readonly root: string) {}

  private loadMap(jsFile: string): LoadedMap | null {
    if (this.maps.has(jsFile)) return this.maps.get(jsFile)!;
    let loaded: LoadedMap | null = null;
    try {
      const raw = JSON.parse(readFileSync(`${jsFile}.map`, 'utf8')) as {
        sources: string[];
        sourceRoot?: string;
        mappings: string;
      };
      const base = dirname(jsFile);
      loaded = {
        sources: raw.sources.map((s) => resolve(base, raw.sourceRoot ?? '', s)),
        lines: decodeMappings(raw.mappings),
      };
    } catch {
      // No source map next to the file: the caller keeps the generated location.
      loaded = null;
    }
    this.maps.set(jsFile, loaded);
    return loaded;
  }

  /** Maps a frame in a compiled `.js` file to its `.ts` source line, when a source map is present. */
  original(frame: StackFrame): StackFrame {
    if (!frame.file.endsWith('.js')) return frame;
    const map = this.loadMap(frame.file);
    const segments = map?.lines[frame.line - 1];
    if (!map || !segments || segments.length === 0) return frame;
    let best = segments[0]!;
    for (const s of segments) if (s[0] <= frame.column - 1) best = s;
    return { ...frame, file: map.sources[best[1]] ?? frame.file, line: best[2] + 1 };
  }

  private rel(file: string): string {
    const r = isAbsolute(file) ? relative(this.root, file) : file;
    return r.split(sep).join('/');
  }

  /**
   * The frames of `stack` inside the repository (mapped to `.ts` lines, relative paths)
   * whose file `keep` accepts, innermost first; an anonymous frame (a callback passed to
   * `scope()`) takes the name of the next kept named frame out, its enclosing function.
   */
  repositoryFrames(stack: string, keep: (relativeFile: string) => boolean): StackFrame[] {
    const frames: StackFrame[] = [];
    for (const raw of parseStack(stack)) {
      if (raw.file.startsWith('node:') || raw.file.includes(`${sep}node_modules${sep}`)) continue;
      const frame = this.original(raw);
      const file = this.rel(frame.file);
      if (file.startsWith('..') || !keep(file)) continue;
      const name = frame.fn.replace(/^.*\./, '');
      frames.push({ ...frame, file, fn: name === '<anonymous>' ? '' : name });
    }
    for (let i = frames.length - 2; i >= 0; i--) {
      if (frames[i]!.fn === '') frames[i] = { ...frames[i]!, fn: frames[i + 1]!.fn };
    }
    return frames;
  }
}

/** Repository root, found from this module's location (`src/onnx/` or `dist/onnx/`). */
export function repositoryRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}
