/** Fixed-capacity FIFO: pushing into a full buffer overwrites the oldest item. O(1) push, no reallocation. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    const end = (this.#start + this.#size) % this.capacity;
    this.#items[end] = item;
    if (this.#size < this.capacity) this.#size += 1;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[(this.#start + this.#size - 1) % this.capacity];
  }

  /** Replaces the newest item (e.g. a still-forming candle). */
  replaceLast(item: T): void {
    if (this.#size === 0) throw new RangeError('RingBuffer.replaceLast on an empty buffer');
    this.#items[(this.#start + this.#size - 1) % this.capacity] = item;
  }

  /** Items oldest first; `count` limits to the newest `count`. */
  toArray(count = this.#size): T[] {
    const n = Math.min(count, this.#size);
    const out = new Array<T>(n);
    const first = this.#size - n;
    for (let i = 0; i < n; i += 1) out[i] = this.#items[(this.#start + first + i) % this.capacity] as T;
    return out;
  }
}
