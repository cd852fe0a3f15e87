/**
 * The server's stdio writer sends the bytes the protocol library's stream writer sends, in the
 * same order, in fewer writes: everything queued in one turn of the event loop goes out together,
 * and what comes while a write is under way goes out after it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { StreamMessageWriter } from 'vscode-languageserver/node';
import type { Message } from 'vscode-languageserver/node';
import { StdioMessageWriter } from '../../server/src/lsp/stdioWriter';

/** A stream that records each write; `hold` keeps a write's callback until `release`. */
class Recorder extends Writable {
  readonly writes: Buffer[] = [];
  hold = false;
  private held: Array<() => void> = [];
  fail: Error | undefined;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writes.push(Buffer.from(chunk));
    if (this.fail) return cb(this.fail);
    if (this.hold) this.held.push(() => cb());
    else cb();
  }

  release(): void {
    this.hold = false;
    for (const h of this.held.splice(0)) h();
  }

  get bytes(): string {
    return Buffer.concat(this.writes).toString('utf8');
  }
}

const MESSAGES: Message[] = [
  { jsonrpc: '2.0', id: 1, result: { capabilities: { hoverProvider: true } } } as Message,
  { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///w/caf%C3%A9.yaml', diagnostics: [{ message: 'Service « café » — not found ✗', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } } }] } } as Message,
  { jsonrpc: '2.0', method: 'gammaLens/status', params: { state: 'ready', files: 3, resources: 6, nothing: undefined } } as Message,
  { jsonrpc: '2.0', method: '$/progress', params: { token: 'x', value: { kind: 'end' } } } as Message,
];

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('stdio message writer', () => {
  test('the same bytes as the library writer, in one write for messages sent in one turn', async () => {
    const ours = new Recorder();
    const theirs = new Recorder();
    const a = new StdioMessageWriter(ours);
    const b = new StreamMessageWriter(theirs);
    await Promise.all(MESSAGES.map((m) => a.write(m)));
    for (const m of MESSAGES) await b.write(m);
    assert.equal(ours.bytes, theirs.bytes);
    assert.match(ours.bytes, /^Content-Length: \d+\r\n\r\n\{"jsonrpc":"2.0","id":1,/);
    assert.equal(ours.writes.length, 1);
    assert.equal(theirs.writes.length, 2 * MESSAGES.length);
  });

  test('messages sent while a write is under way follow it, in order, in one more write', async () => {
    const out = new Recorder();
    const w = new StdioMessageWriter(out);
    out.hold = true;
    const first = w.write(MESSAGES[0]!);
    await turn();
    assert.equal(out.writes.length, 1);
    let later = false;
    const rest = Promise.all(MESSAGES.slice(1).map((m) => w.write(m))).then(() => (later = true));
    await turn();
    await turn();
    // Still one write: the others wait for it.
    assert.equal(out.writes.length, 1);
    assert.equal(later, false);
    out.release();
    await first;
    await rest;
    assert.equal(out.writes.length, 2);
    const reference = new Recorder();
    const lib = new StreamMessageWriter(reference);
    for (const m of MESSAGES) await lib.write(m);
    assert.equal(out.bytes, reference.bytes);
  });

  test('a message given as its JSON text in parts is sent as the library sends the message, in turn with the others', async () => {
    const out = new Recorder();
    const w = new StdioMessageWriter(out);
    const diagnostics = MESSAGES[1]!;
    const text = JSON.stringify(diagnostics);
    // Split inside a multi-byte character: the length counts bytes of the whole, not of each part.
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(Buffer.from('é', 'utf8')) + 1;
    await Promise.all([w.write(MESSAGES[0]!), w.writeEncoded([bytes.subarray(0, cut), new Uint8Array(0), bytes.subarray(cut)]), w.write(MESSAGES[2]!)]);
    const reference = new Recorder();
    const lib = new StreamMessageWriter(reference);
    for (const m of MESSAGES.slice(0, 3)) await lib.write(m);
    assert.equal(out.bytes, reference.bytes);
    assert.equal(out.writes.length, 1);
  });

  test('a failed write rejects its messages and reports the error; a message that cannot be serialised is rejected alone', async () => {
    const out = new Recorder();
    const w = new StdioMessageWriter(out);
    const errors: unknown[] = [];
    w.onError(([err]) => errors.push((err as Error).message));
    const cyclic: Record<string, unknown> = { jsonrpc: '2.0', method: 'x' };
    cyclic.params = cyclic;
    await assert.rejects(w.write(cyclic as unknown as Message), /circular/i);
    await w.write(MESSAGES[0]!);
    out.fail = new Error('EPIPE');
    await assert.rejects(w.write(MESSAGES[2]!), /EPIPE/);
    assert.match(String(errors[0]), /circular/i);
    // As the library writer reports a failed write: from the stream, and for the write.
    const reference = new Recorder();
    const lib = new StreamMessageWriter(reference);
    const libErrors: unknown[] = [];
    lib.onError(([err]) => libErrors.push((err as Error).message));
    reference.fail = new Error('EPIPE');
    await assert.rejects(lib.write(MESSAGES[2]!), /EPIPE/);
    assert.deepEqual(libErrors, ['EPIPE', 'EPIPE']);
    assert.deepEqual(errors.slice(1), libErrors);
  });
});
