/**
 * The initial scan with documents already open (an editor restoring its tabs): an open buffer wins
 * over the file on disk, and only that file: another file of the same name in another folder is
 * read from disk. The URI the client sends is percent-encoded (a space in the name).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic } from '../support/lsp-client';
import { SERVER_JS, copyFixture, fileUri } from '../support/lsp-client';

describe('initial scan with open documents', () => {
  test('the open buffer is indexed instead of its file, a file of the same name elsewhere from disk', async () => {
    const dir = copyFixture('lsp/basic');
    const child = spawn(process.execPath, [SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    try {
      const broken = fs.readFileSync(path.join(dir, 'broken.yaml'), 'utf8');
      fs.rmSync(path.join(dir, 'broken.yaml'));
      const open = path.join(dir, 'a', 'my route.yaml');
      const onDisk = path.join(dir, 'b', 'my route.yaml');
      for (const f of [open, onDisk]) {
        fs.mkdirSync(path.dirname(f));
        fs.writeFileSync(f, broken);
      }
      // The buffer differs from the disk: its route is another one, still without a group.
      const buffer = broken.replace('name: route-x', 'name: route-open');
      assert.notEqual(buffer, broken);
      const uri = fileUri(open);
      assert.match(uri, /my%20route\.yaml$/);

      const diagnostics = new Map<string, Diagnostic[]>();
      let ready!: (files: number) => void;
      const readyP = new Promise<number>((r) => (ready = r));
      conn.onNotification((method: string, raw: unknown) => {
        const p = raw as { uri: string; diagnostics: Diagnostic[]; state: string; files: number };
        if (method === 'textDocument/publishDiagnostics') diagnostics.set(p.uri, p.diagnostics);
        else if (method === 'gammaLens/status' && p.state === 'ready') ready(p.files);
      });
      conn.onRequest(() => null);
      conn.listen();
      await conn.sendRequest('initialize', { processId: process.pid, rootUri: fileUri(dir), workspaceFolders: [{ uri: fileUri(dir), name: 'w' }], capabilities: {} });
      // Opened before `initialized` (in order on the wire), so it is open when the scan starts.
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 7, text: buffer } });
      await conn.sendNotification('initialized', {});
      assert.equal(await readyP, 4);

      const fromBuffer = diagnostics.get(uri) ?? [];
      const fromDisk = diagnostics.get(fileUri(onDisk)) ?? [];
      assert.deepEqual(
        fromBuffer.map((d) => [d.code, (d.data as { version?: number }).version]),
        [['parent-group-missing', 7]],
      );
      assert.deepEqual(
        fromDisk.map((d) => [d.code, (d.data as { version?: number }).version]),
        [['parent-group-missing', undefined]],
      );
      await conn.sendRequest('shutdown');
    } finally {
      void conn.sendNotification('exit');
      await new Promise((r) => child.once('exit', r));
      conn.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
