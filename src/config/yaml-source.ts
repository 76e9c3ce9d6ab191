/**
 * Reads a PaddleSeg YAML config file (spec §1.1 `update_from_file`) and remembers where each
 * key sits, so that errors can name `file:line`. PaddleSeg parses with PyYAML's FullLoader,
 * a YAML 1.1 loader with merge keys; js-yaml's YAML 1.1 schema is the same dialect
 * (`yes`/`no` are booleans, `010` is octal, `1e-4` without a dot stays a string, which the
 * literal evaluator then turns into 0.0001 exactly as PaddleSeg does).
 */
import { readFile, stat } from 'node:fs/promises';
import {
  EVENT_ID,
  type Event,
  getScalarValue,
  load,
  mergeTag,
  parseEvents,
  YAML11_SCHEMA,
  YAMLException,
} from 'js-yaml';
import { messageOf, PdsegError } from '../errors.js';
import { checkConfigSize, checkYamlStructure } from './limits.js';

/** A parsed config file: its top-level mapping and the 1-based line of each dotted key. */
export interface YamlSource {
  /** The file name as the user gave it (for messages). */
  file: string;
  /** The top-level mapping. */
  data: Record<string, unknown>;
  /** Line of each key, by dotted path (`DATASET.NUM_CLASSES` → 4). */
  lines: ReadonlyMap<string, number>;
}

/** Reads and parses `path` (resolved by the caller); `file` is the name shown in messages. */
export async function readYamlSource(path: string, file: string): Promise<YamlSource> {
  let text: string;
  try {
    const st = await stat(path);
    if (st.isFile()) checkConfigSize(st.size, file);
    else if (!st.isDirectory()) {
      throw new PdsegError(
        'CONFIG_FILE',
        `cannot read config file ${file}: it is not a regular file; check the --cfg path`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof PdsegError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : messageOf(e);
    throw new PdsegError('CONFIG_FILE', `cannot read config file ${file}: ${why}; check the --cfg path`, {
      cause: e,
    });
  }
  return parseYamlSource(text, file);
}

/** Parses config text; `file` names it in messages. */
export function parseYamlSource(text: string, file: string): YamlSource {
  if (text.replace(/#[^\n]*/g, '').trim() === '') {
    throw new PdsegError(
      'CONFIG_FILE',
      `config file ${file} is empty; it must be a YAML mapping of config keys`,
    );
  }
  checkConfigSize(Buffer.byteLength(text), file);
  let data: unknown;
  let events: Event[];
  try {
    // The events are checked (sizes, aliases) before the values are built.
    events = parseEvents(text, { filename: file });
    checkYamlStructure(text, events, file);
    data = load(text, { schema: YAML11_SCHEMA.withTags(mergeTag), filename: file });
  } catch (e) {
    if (e instanceof PdsegError) throw e;
    const where =
      e instanceof YAMLException && e.mark ? `${file}:${e.mark.line + 1}:${e.mark.column + 1}` : file;
    const reason = e instanceof YAMLException ? e.reason : messageOf(e);
    throw new PdsegError('CONFIG_PARSE', `invalid YAML in ${where}: ${reason}`, { cause: e });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PdsegError(
      'CONFIG_PARSE',
      `config file ${file} must be a YAML mapping of config keys (KEY: value), not ${Array.isArray(data) ? 'a list' : 'a single value'}`,
    );
  }
  return { file, data: data as Record<string, unknown>, lines: keyLines(text, events) };
}

interface Frame {
  kind: 'map' | 'seq' | 'other';
  path: string;
  /** In a mapping: the key whose value comes next, or undefined when a key comes next. */
  pendingKey: string | undefined;
}

/** Walks the parser's events and records the line of every mapping key by dotted path. */
function keyLines(text: string, events: readonly Event[]): Map<string, number> {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const lines = new Map<string, number>();
  const stack: Frame[] = [];
  /** Called when a complete value node ends inside the top frame. */
  const valueDone = () => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'map') top.pendingKey = undefined;
  };
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.kind === 'map' && top.pendingKey !== undefined) return join(top.path, top.pendingKey);
    return `${top.path}[]`;
  };
  for (const ev of events) {
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) {
      const top = stack[stack.length - 1];
      const isKey = top?.kind === 'map' && top.pendingKey === undefined;
      stack.push({
        kind: isKey ? 'other' : ev.type === EVENT_ID.MAPPING ? 'map' : 'seq',
        path: childPath(),
        pendingKey: undefined,
      });
    } else if (ev.type === EVENT_ID.POP) {
      if (stack.length === 0) continue; // end of document
      stack.pop();
      const top = stack[stack.length - 1];
      if (top?.kind === 'map') top.pendingKey = top.pendingKey === undefined ? '?' : undefined;
    } else if (ev.type === EVENT_ID.SCALAR) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'map' && top.pendingKey === undefined) {
        const key = getScalarValue(text, ev);
        top.pendingKey = key;
        const path = join(top.path, key);
        if (!lines.has(path)) lines.set(path, lineOf(ev.valueStart));
      } else valueDone();
    } else if (ev.type === EVENT_ID.ALIAS) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'map') top.pendingKey = top.pendingKey === undefined ? '?' : undefined;
    }
  }
  return lines;
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** The line of `dotted` in `source`, or of its nearest ancestor that has one. */
export function lineOfKey(source: YamlSource, dotted: string): number | undefined {
  let key = dotted;
  for (;;) {
    const line = source.lines.get(key);
    if (line !== undefined) return line;
    const dot = key.lastIndexOf('.');
    if (dot < 0) return undefined;
    key = key.slice(0, dot);
  }
}
