/**
 * A counting semaphore: at most `limit` holders at once, the rest wait in arrival order.
 * The service runs model validation (which reads a whole upload into memory) through one,
 * so memory stays bounded by `limit` × the maximum upload size however many clients upload.
 */
export class Gate {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`Gate limit must be at least 1, got ${limit}`);
    this.#limit = limit;
  }

  /** Runs `work` once a slot is free and releases the slot when it settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
