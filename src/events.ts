/**
 * Progress is data (STYLE.md §8): library functions accept an optional {@link ProgressSink}
 * and emit typed events; they never print. The CLI renders events with a spinner on a TTY
 * and as plain lines elsewhere (see `src/cli/render.ts`); tests collect them into an array.
 */

/** One step of work that has a known or unknown total (bytes, images, parameters). */
export interface ProgressEvent {
  type: 'progress';
  /** What is being worked on, e.g. `download`, `weights`, `predict`. */
  task: string;
  /** Item being processed (a file name, a URL), when there is one. */
  item?: string;
  done: number;
  /** Total, when known. */
  total?: number;
  /** Unit of `done`/`total`: `bytes` renders as MiB, anything else as a count. */
  unit: 'bytes' | 'items';
  /** Short name of one item for rates, e.g. `img` renders `1.2 img/s`. */
  itemName?: string;
  /** Rate in units per second, when the producer measures it. */
  rate?: number;
  /** Estimated seconds remaining, when known. */
  etaSeconds?: number;
}

/** A phase starts or ends, or a message the user should see. */
export interface MessageEvent {
  type: 'info' | 'warn' | 'done';
  task: string;
  message: string;
}

/** Any event the library can emit. */
export type PdsegEvent = ProgressEvent | MessageEvent;

/** Receiver of events. */
export type ProgressSink = (event: PdsegEvent) => void;

/** A sink that drops everything; the default when a caller passes none. */
export const silent: ProgressSink = () => {};
