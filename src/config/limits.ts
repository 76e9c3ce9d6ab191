/**
 * Limits on what a config may hold, checked before the YAML is built: a config file is a
 * few kB, so a file over {@link CONFIG_LIMITS}.fileBytes, a scalar over `scalarChars`
 * characters, an alias that refers to itself (`MEAN: &a [1, *a]`), or anchors whose
 * expansion would exceed `nodes` values (an alias "bomb": nine lists of nine aliases, nine
 * levels deep, is 387 M values) are refused with a named error instead of exhausting
 * memory, the stack or the time.
 */
import { EVENT_ID, type Event } from 'js-yaml';
import { PdsegError } from '../errors.js';

/** The limits (generous for any real PaddleSeg config: the largest is ~2 kB, ~60 values). */
export const CONFIG_LIMITS = {
  /** Config file size. */
  fileBytes: 1024 * 1024,
  /** Characters of one value (a YAML scalar or a command-line value). */
  scalarChars: 64 * 1024,
  /** Values after expanding every alias. */
  nodes: 100_000,
} as const;

/** Refuses config text larger than the limit; `file` names it. */
export function checkConfigSize(bytes: number, file: string): void {
  if (bytes > CONFIG_LIMITS.fileBytes) {
    throw new PdsegError(
      'CONFIG_FILE',
      `config file ${file} is ${bytes} bytes, more than the ${CONFIG_LIMITS.fileBytes} a config may have (PaddleSeg configs are a few kB); check the --cfg path`,
    );
  }
}

/** Refuses one value longer than the limit; `where` names its origin. */
export function checkValueLength(length: number, where: string): void {
  if (length > CONFIG_LIMITS.scalarChars) {
    throw new PdsegError(
      'CONFIG_FILE',
      `${where}: a value of ${length} characters, more than the ${CONFIG_LIMITS.scalarChars} a config value may have`,
    );
  }
}

interface Open {
  anchor?: string;
  size: number;
}

/** Walks the parser's events: value lengths, self-referencing aliases, expanded size. */
export function checkYamlStructure(text: string, events: readonly Event[], file: string): void {
  const lineOf = (offset: number) => text.slice(0, Math.max(offset, 0)).split('\n').length;
  const anchorOf = (e: { anchorStart?: number; anchorEnd?: number }) =>
    e.anchorStart !== undefined && e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : undefined;
  const sizes = new Map<string, number>();
  const open = new Set<string>();
  const stack: Open[] = [];
  const add = (n: number, at: number) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    top.size += n;
    if (top.size > CONFIG_LIMITS.nodes) {
      throw new PdsegError(
        'CONFIG_PARSE',
        `${file}:${lineOf(at)}: the YAML aliases expand to more than ${CONFIG_LIMITS.nodes} values; a config needs only a few dozen — remove the anchors (&) and aliases (*) that multiply`,
      );
    }
  };
  for (const e of events as Array<Event & Record<string, number>>) {
    switch (e.type) {
      case EVENT_ID.SCALAR: {
        checkValueLength(e.valueEnd - e.valueStart, `${file}:${lineOf(e.valueStart)}`);
        const a = anchorOf(e);
        if (a !== undefined) sizes.set(a, 1);
        add(1, e.valueStart);
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(e.anchorStart, e.anchorEnd);
        if (open.has(name)) {
          throw new PdsegError(
            'CONFIG_PARSE',
            `${file}:${lineOf(e.anchorStart)}: the alias *${name} refers to the value that contains it (a recursive alias); a config value must be finite — write the list out`,
          );
        }
        add(sizes.get(name) ?? 1, e.anchorStart);
        break;
      }
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING:
      case EVENT_ID.DOCUMENT: {
        const a = e.type === EVENT_ID.DOCUMENT ? undefined : anchorOf(e);
        if (a !== undefined) open.add(a);
        stack.push({ anchor: a, size: 1 });
        break;
      }
      case EVENT_ID.POP: {
        const done = stack.pop();
        if (!done) break;
        if (done.anchor !== undefined) {
          open.delete(done.anchor);
          sizes.set(done.anchor, done.size);
        }
        add(done.size, e.start ?? 0);
        break;
      }
    }
  }
}
