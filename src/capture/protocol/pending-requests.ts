// The requests of one connection still awaiting a response: correlation id → (api key, api version).
//
// Kafka answers the requests of a connection in the order they were sent, so a ring buffer suffices: a
// response normally matches the oldest entry, and entries it skips over were never going to be answered
// (Produce with acks=0). The ring is bounded; when full, the oldest entry is dropped.

/** Pending requests of one connection. Not thread-safe (one per connection, on the event loop). */
export interface PendingRequests {
  /** Records a sent request. */
  push(correlationId: number, apiKey: number, apiVersion: number): void;
  /**
   * Finds and removes the request a response answers, dropping older entries that had no response.
   * Returns false (and changes nothing) when no pending request has this correlation id.
   */
  take(correlationId: number): boolean;
  /** The API key of the request the last successful `take` found. */
  readonly apiKey: number;
  /** The API version of the request the last successful `take` found. */
  readonly apiVersion: number;
  readonly size: number;
}

class RingOfRequests implements PendingRequests {
  private readonly ids: Int32Array;
  private readonly keys: Int16Array;
  private readonly versions: Int16Array;
  private head = 0;
  size = 0;
  apiKey = -1;
  apiVersion = -1;

  constructor(private readonly capacity: number) {
    this.ids = new Int32Array(capacity);
    this.keys = new Int16Array(capacity);
    this.versions = new Int16Array(capacity);
  }

  push(correlationId: number, apiKey: number, apiVersion: number): void {
    if (this.size === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    const at = (this.head + this.size) % this.capacity;
    this.ids[at] = correlationId;
    this.keys[at] = apiKey;
    this.versions[at] = apiVersion;
    this.size++;
  }

  take(correlationId: number): boolean {
    for (let i = 0; i < this.size; i++) {
      const at = (this.head + i) % this.capacity;
      if (this.ids[at] !== correlationId) continue;
      this.apiKey = this.keys[at]!;
      this.apiVersion = this.versions[at]!;
      this.head = (at + 1) % this.capacity;
      this.size -= i + 1;
      return true;
    }
    return false;
  }
}

/** A bounded queue of pending requests. @default capacity 1024 */
export function createPendingRequests(capacity = 1024): PendingRequests {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new Error(`Invalid pending-request capacity: ${capacity}`);
  return new RingOfRequests(capacity);
}
