/**
 * The server's message writer on stdio. It sends what the protocol library's stream writer sends
 * (for each message a `Content-Length` header, then the message as UTF-8 JSON), in the same order,
 * but in fewer writes: every message queued until the next turn of the event loop goes out in one
 * write, and while a write is under way the next ones wait and go out together after it. The
 * library's writer makes two writes per message and takes one turn of the event loop for each:
 * publishing the diagnostics of a large workspace, thousands of notifications, cost more in those
 * writes than in building the notifications.
 */
import { AbstractMessageWriter } from 'vscode-languageserver/node';
import type { Message, MessageWriter } from 'vscode-languageserver/node';

export class StdioMessageWriter extends AbstractMessageWriter implements MessageWriter {
  /** Headers and bodies not written yet, in order. */
  private chunks: Uint8Array[] = [];
  /** Settles the promise of each message in `chunks` (a header and one or more parts of its body). */
  private settle: Array<(err: Error | null | undefined) => void> = [];
  private scheduled = false;
  private writing = false;
  private errorCount = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
    stream.on('error', (err: Error) => this.fireError(err));
    stream.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let body: Buffer;
    try {
      body = Buffer.from(JSON.stringify(msg), 'utf8');
    } catch (err) {
      this.failed(err as Error, msg);
      return Promise.reject(err);
    }
    return this.queue([body], body.byteLength);
  }

  /**
   * Sends a message given as its JSON text in parts (UTF-8, joined in order), in turn with the
   * messages given to `write`: for messages kept as JSON (stored diagnostics), which would otherwise
   * be parsed only to be serialised again.
   */
  writeEncoded(parts: readonly Uint8Array[]): Promise<void> {
    let length = 0;
    for (const p of parts) length += p.byteLength;
    return this.queue(parts, length);
  }

  private queue(body: readonly Uint8Array[], length: number): Promise<void> {
    this.chunks.push(Buffer.from(`Content-Length: ${length}\r\n\r\n`, 'ascii'), ...body);
    const done = new Promise<void>((resolve, reject) => this.settle.push((err) => (err ? reject(err) : resolve())));
    if (!this.scheduled && !this.writing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return done;
  }

  /** Writes every queued message in one write, unless a write is under way (its end writes them). */
  private flush(): void {
    if (this.writing || this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const settle = this.settle;
    this.chunks = [];
    this.settle = [];
    this.writing = true;
    const written = (err?: Error | null): void => {
      this.writing = false;
      if (err) this.failed(err);
      for (const s of settle) s(err);
      this.flush();
    };
    try {
      this.stream.write(data, written);
    } catch (err) {
      written(err as Error);
    }
  }

  private failed(err: Error, msg?: Message): void {
    this.errorCount++;
    this.fireError(err, msg, this.errorCount);
  }

  end(): void {
    this.flush();
    this.stream.end();
  }
}
