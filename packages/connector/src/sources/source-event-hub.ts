/**
 * Fan-out of a source's slow-lane events to its listeners. Internal to the
 * sources folder.
 */
import type { SourceEvent, SourceEventListener } from './message-source.js';

/**
 * Holds the listeners of one source. A listener that throws is reported as a
 * process warning and the others still run: events are emitted from socket
 * and timer callbacks, where a throw would take the whole process down.
 */
export class SourceEventHub {
  private listeners: SourceEventListener[] = [];

  /** Adds `listener`; the returned function removes it (idempotent). */
  add(listener: SourceEventListener): () => void {
    // Copy on write, so that a listener removing itself during emit() does not skip its neighbour.
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Calls every listener with `event`. */
  emit(event: SourceEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : String(err), 'MarketpipeSourceListenerWarning');
      }
    }
  }
}
