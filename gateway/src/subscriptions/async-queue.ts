export const CLOSED = Symbol('closed');

/** A minimal unbounded queue whose pending `next()` resolves with CLOSED when the queue is closed. */
export class AsyncQueue<T> {
  private items: T[] = [];
  private waiting: ((value: T | typeof CLOSED) => void) | undefined;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(item);
    } else {
      this.items.push(item);
    }
  }

  next(): Promise<T | typeof CLOSED> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    if (this.closed) return Promise.resolve(CLOSED);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.items = [];
    this.waiting?.(CLOSED);
    this.waiting = undefined;
  }
}
