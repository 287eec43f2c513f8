/**
 * Counts garbage collections through `PerformanceObserver` 'gc' entries, the only GC signal Node gives without a
 * native addon.
 */
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Counts GC events of this isolate (worker threads have their own heaps and are not counted). Entries arrive
 * asynchronously, so read the count with {@link GcCounter.settledCount} after the measured code.
 *
 * @example
 * ```ts
 * const gcs = new GcCounter();
 * const before = await gcs.settledCount();
 * runMeasuredLoop();
 * console.log('GCs during the loop:', (await gcs.settledCount()) - before);
 * gcs.close();
 * ```
 */
export class GcCounter {
  #count = 0;
  readonly #observer: PerformanceObserver;

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      this.#count += list.getEntries().length;
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** GC events delivered so far, after letting pending observer callbacks run. */
  async settledCount(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return this.#count;
  }

  /** Stops observing. */
  close(): void {
    this.#observer.disconnect();
  }
}
