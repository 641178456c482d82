// Where a cell's output goes. Each execution gets a CellOutput, carried through the cell's
// async work by AsyncLocalStorage, so `console.log` in a timer or an awaited callback lands in
// the cell that started it, even after later cells ran (tslab sends it to the last cell).
//
// Output of one cell leaves in the order it was produced: stream text, display_data whose
// bundle is still being built (tensor readback is async), then the result.

import { AsyncLocalStorage } from "node:async_hooks";
import type { Json, Message } from "./protocol/wire";
import { log } from "./log";

export interface Publisher {
  publish(parent: Message<unknown> | null, msgType: string, content: unknown, metadata?: Json): Promise<void>;
}

export type StreamName = "stdout" | "stderr";

/** Above this many buffered characters, stream text is sent without waiting for a turn of the
 * event loop (a busy loop that prints must not hold everything until it ends). */
const FLUSH_AT = 64 * 1024;

/** Stream text older than this is sent even while a synchronous loop blocks the event loop. */
const FLUSH_AFTER_MS = 100;

export class CellOutput {
  private tail: Promise<void> = Promise.resolve();
  /** Messages queued behind one whose content is still being built (e.g. a tensor readback). */
  private waiting = 0;
  private pending: { name: StreamName; text: string; since: number } | null = null;
  private flushScheduled = false;

  constructor(
    readonly parent: Message<unknown> | null,
    readonly silent: boolean,
    private readonly publisher: Publisher,
  ) {}

  write(name: StreamName, text: string): void {
    if (this.silent || text === "") return;
    if (this.pending && this.pending.name !== name) this.flushStream();
    if (this.pending) this.pending.text += text;
    else this.pending = { name, text, since: Date.now() };
    if (this.pending.text.length >= FLUSH_AT || Date.now() - this.pending.since >= FLUSH_AFTER_MS) this.flushStream();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushStream();
      });
    }
  }

  /** Sends a message in order with this cell's other output; `content` may be a promise (it
   * keeps its place). Ready content with nothing queued goes out synchronously. */
  send(msgType: string, content: unknown, metadata: Json = {}): void {
    if (this.silent) return;
    this.flushStream();
    if (this.waiting === 0 && !(content instanceof Promise)) {
      this.tail = this.publisher.publish(this.parent, msgType, content, metadata);
      return;
    }
    this.waiting++;
    const ready = Promise.resolve(content);
    this.tail = this.tail
      .then(async () => {
        let value: unknown;
        try {
          value = await ready;
        } catch (e) {
          log(`could not build ${msgType}: ${(e as Error).stack ?? String(e)}`);
          return;
        }
        await this.publisher.publish(this.parent, msgType, value, metadata);
      })
      .finally(() => this.waiting--);
  }

  /** Resolves when everything queued so far has been handed to the socket. */
  flushed(): Promise<void> {
    this.flushStream();
    return this.tail;
  }

  private flushStream(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.send("stream", { name: p.name, text: p.text });
  }
}

export const cellContext = new AsyncLocalStorage<CellOutput>();

type Write = typeof process.stdout.write;

function redirect(stream: NodeJS.WriteStream, name: StreamName): void {
  const original = stream.write.bind(stream) as Write;
  const write = (chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean => {
    const out = cellContext.getStore();
    if (!out) return (original as (...a: unknown[]) => boolean)(chunk, encodingOrCb, cb);
    const encoding = typeof encodingOrCb === "string" ? (encodingOrCb as BufferEncoding) : "utf8";
    out.write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(encoding));
    const done = typeof encodingOrCb === "function" ? encodingOrCb : cb;
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  };
  stream.write = write as Write;
}

/** Sends process.stdout/stderr writes made inside a cell to that cell's output; writes from
 * outside any cell still reach the terminal. */
export function redirectStdio(): void {
  redirect(process.stdout, "stdout");
  redirect(process.stderr, "stderr");
}
