/**
 * A small listener registry shared by the transports for status and error
 * hooks. A listener that throws must not stop the others or break the
 * transport that emits, so emission isolates each call.
 */
export class ListenerSet<A extends unknown[]> {
  private listeners: ReadonlyArray<(...args: A) => void> = [];

  /** Registers `listener`; the returned function unregisters it (idempotent). */
  add(listener: (...args: A) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Calls every listener with `args`. A throwing listener is reported on the
   * next tick as an uncaught exception instead of breaking the emitter's
   * state machine (same policy as Node's EventEmitter for unhandled errors).
   */
  emit(...args: A): void {
    const current = this.listeners;
    for (let i = 0; i < current.length; i++) {
      try {
        current[i]?.(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
