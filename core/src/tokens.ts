// Seeing, inside one task, that a buffer's tensors were dropped. FinalizationRegistry callbacks
// only run between tasks, so in a loop that never awaits, device buffers of dropped tensors
// would wait for the loop to end. V8 does clear a WeakRef during a task when the collector
// finds its target unreachable, unless the WeakRef was made (or read) in that same task: the
// spec's KeepDuringJob set keeps those targets alive until the task ends. So tokens (empty
// objects) and their WeakRefs are made ahead of time, in a task of their own; each device
// buffer takes one and is its only holder. After a collection, a token whose WeakRef is clear
// means its buffer's BufferRef is gone, and the buffer can be freed at once.
//
// Reading a WeakRef whose token is alive keeps that token until the task ends, so a buffer found
// alive by one scan is not looked at again in the same task: what a loop holds at the moment of
// a scan waits for the finalizers, everything made after it does not.

const poolSize = Number(process.env.TSDL_WEAK_TOKENS ?? 20000);

/** Where an item's owner keeps its token. */
export interface TokenHolder {
  token: object | null;
  tokenRef: WeakRef<object> | null;
}

interface Armed<T> {
  weak: WeakRef<object>;
  item: T;
}

export class TokenWatch<T> {
  /** Tokens made in an earlier task, with their WeakRefs; handed out from the end. */
  private tokens: object[] = [];
  private weaks: WeakRef<object>[] = [];
  private armed: Armed<T>[] = [];
  /** Found alive during this task: reading them again would tell nothing until it ends. */
  private seen: Armed<T>[] = [];
  private refillQueued = false;
  private compactAt = 4096;
  /** Items handed out without a token (the pool ran dry) since the last refill. */
  unwatched = 0;

  constructor(private readonly isDone: (item: T) => boolean) {
    this.fill(); // usable from the next task on: the one that loads the library never runs a loop
  }

  /** Gives `holder` (the item's owner, and the token's only holder) a token for `item` and
   * its WeakRef, or leaves it without one when none is ready. */
  watch(item: T, holder: TokenHolder): void {
    const token = this.tokens.pop();
    if (!token) {
      this.unwatched += 1;
      this.queueRefill();
      return;
    }
    const weak = this.weaks.pop()!;
    this.armed.push({ weak, item });
    if (this.armed.length > this.compactAt) {
      // Entries of items released since are dropped now and then, not only at collections: a
      // loop that frees everything explicitly never causes one.
      this.armed = this.armed.filter((a) => !this.isDone(a.item));
      this.compactAt = Math.max(4096, 2 * this.armed.length);
    }
    if (this.tokens.length < poolSize / 2) this.queueRefill();
    holder.token = token;
    holder.tokenRef = weak;
  }

  /** A token whose item was released explicitly goes back to the pool: most buffers of a
   * training step are (backward() frees them), so a long loop does not run out. Its old entry
   * is skipped from now on (isDone), and a WeakRef read during this task just stays set. */
  recycle(holder: TokenHolder): void {
    if (!holder.token || !holder.tokenRef) return;
    this.tokens.push(holder.token);
    this.weaks.push(holder.tokenRef);
    holder.token = null;
    holder.tokenRef = null;
  }

  /** After a full collection: the items whose owners were collected (each reported once). */
  collectDropped(): T[] {
    const dropped: T[] = [];
    this.seen = this.seen.filter((a) => !this.isDone(a.item));
    for (const a of this.armed) {
      if (this.isDone(a.item)) continue;
      if (a.weak.deref() === undefined) dropped.push(a.item);
      else this.seen.push(a);
    }
    this.armed = [];
    this.queueRefill(); // also puts `seen` back once this task is over
    return dropped;
  }

  private queueRefill(): void {
    if (this.refillQueued) return;
    this.refillQueued = true;
    setImmediate(() => {
      this.refillQueued = false;
      this.unwatched = 0;
      for (const a of this.seen) if (!this.isDone(a.item)) this.armed.push(a);
      this.seen = [];
      this.armed = this.armed.filter((a) => !this.isDone(a.item));
      this.fill();
    }).unref();
  }

  private fill(): void {
    while (this.tokens.length < poolSize) {
      const token = {};
      this.tokens.push(token);
      this.weaks.push(new WeakRef(token));
    }
  }
}
