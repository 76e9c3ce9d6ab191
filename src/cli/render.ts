/**
 * Renders library events for a person (STYLE.md §8): an `ora` spinner whose text updates
 * in place on a TTY, plain lines otherwise (CI, pipes, log files). Progress lines are
 * throttled off-TTY so a log gets a line every few seconds, not one per chunk.
 */
import type { Ora } from 'ora';
import ora from 'ora';
import type { PdsegEvent, ProgressEvent, ProgressSink } from '../events.js';

/** Options for {@link createRenderer}. */
export interface RendererOptions {
  /** Draw a spinner (default: stderr is a TTY and `CI` is not set). */
  tty?: boolean;
  /** Where lines go (default: process.stderr). */
  stream?: NodeJS.WritableStream;
  /** Minimum milliseconds between plain progress lines for one task (default 2000). */
  plainIntervalMs?: number;
}

/** Formats a byte count as `12.3 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Formats seconds as `1m10s`, `42s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One-line text of a progress event: `37/120 · 1.2 img/s · ETA 1m10s`. */
export function formatProgress(e: ProgressEvent): string {
  const parts: string[] = [];
  const head = e.item ? `${e.task} ${e.item}` : e.task;
  if (e.unit === 'bytes') {
    let amount = formatBytes(e.done);
    if (e.total !== undefined && e.total > 0) {
      amount += ` / ${formatBytes(e.total)} (${((100 * e.done) / e.total).toFixed(1)}%)`;
    }
    parts.push(amount);
    if (e.rate !== undefined) parts.push(`${formatBytes(e.rate)}/s`);
  } else {
    parts.push(e.total !== undefined ? `${e.done}/${e.total}` : `${e.done}`);
    const per = e.itemName ? ` ${e.itemName}/s` : '/s';
    if (e.rate !== undefined) parts.push(`${e.rate.toFixed(1)}${per}`);
  }
  if (e.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(e.etaSeconds)}`);
  return `${head}: ${parts.join(' · ')}`;
}

/** A sink that draws events, plus `stop()` to clear the spinner at the end. */
export interface Renderer {
  sink: ProgressSink;
  stop(): void;
}

/** Creates the renderer the CLI hands to library calls. */
export function createRenderer(options: RendererOptions = {}): Renderer {
  const stream = options.stream ?? process.stderr;
  const ws = stream as NodeJS.WriteStream;
  // A terminal that reports 0 columns (e.g. `script` without a size) makes ora redraw
  // forever; treat it as a plain stream.
  const tty = options.tty ?? (Boolean(ws.isTTY) && (ws.columns ?? 0) > 0 && !process.env.CI);
  const interval = options.plainIntervalMs ?? 2000;
  const lastPlain = new Map<string, number>();
  let spinner: Ora | undefined;

  const line = (text: string) => {
    if (spinner) spinner.clear();
    stream.write(`${text}\n`);
    if (spinner) spinner.render();
  };

  const sink = (e: PdsegEvent) => {
    if (e.type === 'progress') {
      const text = formatProgress(e);
      if (tty) {
        spinner ??= ora({ stream, text }).start();
        spinner.text = text;
        return;
      }
      const now = Date.now();
      const finished = e.total !== undefined && e.done >= e.total;
      const key = `${e.task}\0${e.item ?? ''}`;
      if (!finished && now - (lastPlain.get(key) ?? 0) < interval) return;
      lastPlain.set(key, now);
      line(text);
      return;
    }
    if (e.type === 'done' && spinner) {
      spinner.stop();
      spinner = undefined;
    }
    line(e.type === 'warn' ? `WARNING: ${e.message}` : e.message);
  };

  return {
    sink,
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}
