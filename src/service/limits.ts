/**
 * Parsing of the service's limit flags (issue 8): sizes such as `100MB` or `2GiB` for
 * `--max-size`/`--max-storage`, and rates such as `1/5min` for `--rate` (VisualDL's limit is
 * one upload per client per five minutes). `0` disables a rate limit.
 */
import { PdsegError } from '../errors.js';

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Parses a byte size: a number and an optional unit. `KB`/`MB`/`GB`/`TB` are decimal
 * (`100MB` = 100 000 000 bytes, as VisualDL's 100 MB cap), `KiB`/`MiB`/`GiB`/`TiB` and the
 * bare `K`/`M`/`G` binary. Throws `PdsegError('USAGE')` naming `flag` for anything else.
 */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new PdsegError(
      'USAGE',
      `${flag} '${text}' is not a size; write a number with an optional unit, e.g. 100MB, 512KiB or 2GB`,
    );
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes <= 0) throw new PdsegError('USAGE', `${flag} '${text}' must be larger than zero`);
  return bytes;
}

/** A rate limit: at most `count` events per `windowMs` milliseconds. */
export interface RateSpec {
  count: number;
  windowMs: number;
}

const TIME_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

/**
 * Parses `--rate`: `N/<duration>` such as `1/5min`, `10/1h`, `3/30s` (the duration's number
 * may be left out: `5/min`). `0` or `off` disables the limit and returns `undefined`.
 */
export function parseRate(text: string, flag = '--rate'): RateSpec | undefined {
  const t = text.trim().toLowerCase();
  if (t === '0' || t === 'off' || t === 'none') return undefined;
  const m = /^(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)$/.exec(t);
  const unit = m ? TIME_UNITS[m[3]!] : undefined;
  const count = m ? Number(m[1]) : 0;
  const windowMs = m && unit !== undefined ? Math.round(Number(m[2] ?? '1') * unit) : 0;
  if (!m || unit === undefined || windowMs <= 0) {
    throw new PdsegError(
      'USAGE',
      `${flag} '${text}' is not a rate; write uploads/duration such as 1/5min, 10/1h or 30/60s, or 0 to disable`,
    );
  }
  if (count === 0) return undefined;
  return { count, windowMs };
}

/** Formats a rate back as text, e.g. `1/5min`. */
export function formatRate(rate: RateSpec | undefined): string {
  if (!rate) return 'off';
  const ms = rate.windowMs;
  const unit =
    ms % 3_600_000 === 0 ? [3_600_000, 'h'] : ms % 60_000 === 0 ? [60_000, 'min'] : ([1000, 's'] as const);
  return `${rate.count}/${ms / (unit[0] as number)}${unit[1]}`;
}
