/**
 * The fast YAML reader (server/src/core/yaml/fast.ts) must give exactly what the `yaml` package
 * gives, or give up. Proof: the extracted objects (with every span) are identical with and without
 * it over the whole test corpus, the fixtures, the examples and generated benchmark workspaces; and
 * on thousands of mutated documents it either gives up or builds the same tree as `yaml`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { extractFile } from '../../server/src/core/model/extract';
import { splitDocuments } from '../../server/src/core/yaml/documents';
import { fastParser, parseFast, resolvePlain } from '../../server/src/core/yaml/fast';
import { CORPUS, FIXTURES, REPO_ROOT } from '../support/workspace';

function yamlFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'out' && !e.name.startsWith('.')) yamlFiles(p, out);
    } else if (/\.ya?ml$/.test(e.name) || e.name === 'Kustomization') out.push(p);
  }
  return out;
}

function withFast<T>(enabled: boolean, fn: () => T): T {
  const before = fastParser.enabled;
  fastParser.enabled = enabled;
  try {
    return fn();
  } finally {
    fastParser.enabled = before;
  }
}

/** Extracts with and without the fast reader (engine kinds only, and every document). */
function assertSameExtraction(name: string, text: string): void {
  for (const parseAll of [false, true]) {
    const slow = withFast(false, () => extractFile(name, text, { parseAll }));
    const fast = withFast(true, () => extractFile(name, text, { parseAll }));
    assert.deepEqual(fast, slow, `${name} (parseAll: ${parseAll})`);
  }
}

const YAML_OPTIONS = { merge: true, uniqueKeys: false, strict: false, prettyErrors: false } as const;

/** Compares two node trees: kinds, values, scalar styles, flow flags and the ranges spans use. */
function sameTree(a: unknown, b: unknown, where = 'root'): string | undefined {
  const kind = (n: unknown): string => (isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : isPair(n) ? 'pair' : isAlias(n) ? 'alias' : String(n));
  if (kind(a) !== kind(b)) return `${where}: ${kind(a)} vs ${kind(b)}`;
  if (isPair(a) && isPair(b)) return sameTree(a.key, b.key, `${where}.key`) ?? sameTree(a.value, b.value, `${where}.value`);
  if (isAlias(a) && isAlias(b)) {
    if (a.source !== b.source || a.range![0] !== b.range![0] || a.range![1] !== b.range![1]) return `${where}: alias ${a.source} ${String(a.range)} vs ${b.source} ${String(b.range)}`;
    return undefined;
  }
  if ((a as { anchor?: string }).anchor !== (b as { anchor?: string }).anchor) return `${where}: anchor ${(a as { anchor?: string }).anchor} vs ${(b as { anchor?: string }).anchor}`;
  if (!isScalar(a) && !isMap(a) && !isSeq(a)) return undefined;
  const ra = a.range!;
  const rb = (b as typeof a).range!;
  // Block collections run on over trailing comments in `yaml`; spans end them at their last item.
  const block = (isMap(a) || isSeq(a)) && !a.flow;
  if (ra[0] !== rb[0] || (!block && ra[1] !== rb[1])) return `${where}: range ${String(ra)} vs ${String(rb)}`;
  if (isScalar(a) && isScalar(b)) {
    if (!Object.is(a.value, b.value) || a.type !== b.type) return `${where}: ${String(a.value)} (${a.type}) vs ${String(b.value)} (${b.type})`;
    return undefined;
  }
  const ca = a as { items: unknown[]; flow?: boolean };
  const cb = b as { items: unknown[]; flow?: boolean };
  if (Boolean(ca.flow) !== Boolean(cb.flow)) return `${where}: flow ${ca.flow} vs ${cb.flow}`;
  if (ca.items.length !== cb.items.length) return `${where}: ${ca.items.length} vs ${cb.items.length} items`;
  for (let i = 0; i < ca.items.length; i++) {
    const d = sameTree(ca.items[i], cb.items[i], `${where}[${i}]`);
    if (d) return d;
  }
  return undefined;
}

/** Either the fast reader gives up, or `yaml` reads the text without error and builds the same tree. */
function assertFastAgrees(source: string): boolean {
  const fast = parseFast(source);
  if (!fast) return false;
  const slow = parseDocument(source, YAML_OPTIONS);
  assert.deepEqual(slow.errors.map((e) => e.message), [], `fast reader accepted invalid YAML: ${JSON.stringify(source)}`);
  const diff = sameTree(fast.contents, slow.contents);
  assert.equal(diff, undefined, `${diff}\n${JSON.stringify(source)}`);
  return true;
}

async function generatedFiles(docs: number): Promise<Array<{ path: string; text: string }>> {
  const url = pathToFileURL(path.join(REPO_ROOT, 'test', 'bench', 'generate.mjs')).href;
  const gen = (await import(url)) as {
    generate(o: { docs: number; seed: number }): Array<{ ns: string; text: string }>;
    toFiles(d: Array<{ ns: string; text: string }>, seed: number): Array<{ path: string; text: string }>;
  };
  return gen.toFiles(gen.generate({ docs, seed: 42 }), 42);
}

test('identical extraction with and without the fast reader: shared fixtures and corpus', () => {
  const files = [...yamlFiles(FIXTURES), ...yamlFiles(CORPUS)];
  assert.ok(files.length > 100, `expected the shared corpus, found ${files.length} files`);
  for (const f of files) assertSameExtraction(f, fs.readFileSync(f, 'utf8'));
});

test('identical extraction with and without the fast reader: repository examples and test fixtures', () => {
  const files = [...yamlFiles(path.join(REPO_ROOT, 'examples')), ...yamlFiles(path.join(REPO_ROOT, 'test', 'fixtures'))];
  assert.ok(files.length > 0);
  for (const f of files) assertSameExtraction(f, fs.readFileSync(f, 'utf8'));
});

test('identical extraction with and without the fast reader: a generated 3k-document benchmark workspace', async () => {
  const files = await generatedFiles(3000);
  assert.ok(files.length > 100);
  for (const f of files) assertSameExtraction(`/bench/${f.path}`, f.text);
});

test('the fast reader reads the common manifests itself (it is not bailing everywhere)', () => {
  const files = yamlFiles(CORPUS);
  let docs = 0;
  let fast = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const chunk of splitDocuments(text)) {
      docs++;
      if (assertFastAgrees(text.slice(chunk.span.start, chunk.span.end).replace(/\r(?!\n)/g, '\n'))) fast++;
    }
  }
  assert.ok(fast > docs * 0.9, `fast reader handled ${fast} of ${docs} corpus documents`);
});

test('scalars resolve as in the YAML 1.2 core schema', () => {
  const plain = [
    'null', 'Null', 'NULL', '~', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n',
    '0', '-0', '+12', '007', '0o17', '0o8', '0x1F', '0xg', '0X1F', '1_000', '12345678901234567890', '1.5', '-.5', '.5', '5.', '+1.0',
    '1e3', '1E-3', '-1.5e+3', '.e3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '-.nan', 'inf', '1:30', '1.2.3', 'v1', '8080m', '2001-12-14',
    'a b', 'http://x:80/y', '--x', '-x', 'n/a',
  ];
  for (const s of plain) {
    const fast = parseFast(`k: ${s}\n`);
    assert.ok(fast, s);
    const slow = parseDocument(`k: ${s}\n`, YAML_OPTIONS);
    const fv = (fast.contents as unknown as { items: Array<{ value: { value: unknown } }> }).items[0]!.value.value;
    const sv = (slow.contents as unknown as { items: Array<{ value: { value: unknown } }> }).items[0]!.value.value;
    assert.ok(Object.is(fv, sv), `${s}: ${String(fv)} vs ${String(sv)}`);
    assert.ok(Object.is(resolvePlain(s), sv), s);
  }
  for (const q of ['"a\\tb"', '"\\x41\\u00e9\\U0001F600"', '"\\"q\\" \\\\ \\/"', "'it''s'", '""', "''", '"#not a comment"', '" lead and trail "']) {
    assert.ok(assertFastAgrees(`k: ${q}\n`), q);
  }
});

test('layouts the fast reader handles build the same tree as yaml', () => {
  const cases = [
    'a: 1\nb:\n  c: 2\n',
    'a:\n- x\n- y\nb: 1\n',
    'a:\n  - x\n  -   y # c\n',
    '- a: 1\n  b: 2\n- - x\n  - y\n-\n  c: 3\n-\n',
    'a:   \nb: # only a comment\nc:\n',
    'a: [x, "y", {b: 1}, []]\nb: { }\nc: {d: [1, 2], e: "f"}  # c\n',
    '---\n# c\na: 1\n...\n# after\n',
    '--- # marker comment\na: 1\n',
    'a: 1\r\nb:\r\n  - c\r\n',
    '"quoted key": 1\n\'single\': 2\n"k" : 3\n',
    'a: b#c\nd: e # f\ng: h:i\nj: -1\nk: ?x\nl: :y\n',
    '  a: 1\n  b: 2\n',
    'a:\n  b:\n    c:\n      - d: 1\n        e:\n        - f\n',
    'a:\n  x\n',
    'a: 1\n\n\n# trailing\n\n',
    'a: &app\n  x: 1\nb: *app\nc: &s  v\nd:   *s  # c\ne: &e\n- 1\nf: &q "x"\nh: [*s, &w z]\ni:\n- *app\n- &t {k: *s}\nj: *undefined\n',
  ];
  for (const c of cases) assert.ok(assertFastAgrees(c), `expected the fast reader to read ${JSON.stringify(c)}`);
});

test('the fast reader gives up outside its subset', () => {
  const outside = [
    'a: !!str 1\n', '- &x a: 1\n', 'a: &x\n', 'a: &x *y\n', 'a: {&k b: 1}\n', '&x a: 1\n', 'a: &x:y 1\n', '<<: {a: 1}\n', 'a: |\n  text\n', 'a: >-\n  text\n', 'a: multi\n  line\n',
    'a: "multi\n  line"\n', 'a: [1,\n  2]\n', '? complex\n: key\n', '%YAML 1.2\n---\na: 1\n', 'a:\t1\n', '\ufeffa: 1\n',
    'a: b: c\n', 'a: [1, 2,]\n', 'a: {b}\n', 'a: [b: 1]\n', 'just a scalar\n', '[1, 2]\n', 'a: 1\n b: 2\n', 'a: 1\n- x\n',
    'a: "x" y\n', 'a: `x`\n', 'a: @x\n', '--- a: 1\n', 'a: 1\n---\nb: 2\n', 'a: 1\n...\nb: 2\n', 'a: "\\q"\n', 'a: - b\n',
    'a: 1\r', 'a:\n  - x\n   - y\n',
  ];
  for (const c of outside) assert.equal(parseFast(c), undefined, `expected the fast reader to give up on ${JSON.stringify(c)}`);
});

test('mutated corpus documents: the fast reader gives up or agrees with yaml (deterministic fuzz)', () => {
  const sources: string[] = [];
  for (const f of [...yamlFiles(CORPUS), ...yamlFiles(FIXTURES)]) {
    const text = fs.readFileSync(f, 'utf8');
    for (const c of splitDocuments(text)) sources.push(text.slice(c.span.start, Math.min(c.span.end, c.span.start + 2000)));
  }
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const inserts = [':', ' ', '  ', '-', '- ', '#', ' #', '"', "'", '\n', '\n  ', '[', ']', '{', '}', ',', '?', '!', '&a ', '*a', '|', '>', '\\', '0x1F', '1e3', '~', 'True', '.inf', '\r\n', '...', '---', '%', ': ', '"\\x41"', "'it''s'", '\\n', '0o17', '-.5'];
  let agreed = 0;
  for (let k = 0; k < 3000; k++) {
    let s = sources[Math.floor(rnd() * sources.length)]!;
    const mutations = 1 + Math.floor(rnd() * 3);
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(rnd() * s.length);
      const r = rnd();
      if (r < 0.5) s = s.slice(0, at) + inserts[Math.floor(rnd() * inserts.length)]! + s.slice(at);
      else if (r < 0.8) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 3));
      else {
        const ls = s.lastIndexOf('\n', at) + 1;
        s = s.slice(0, ls) + (rnd() < 0.5 ? ' ' : '') + s.slice(ls + (rnd() < 0.5 ? 1 : 0));
      }
    }
    if (assertFastAgrees(s.replace(/\r(?!\n)/g, '\n'))) agreed++;
  }
  assert.ok(agreed > 500, `only ${agreed} mutated documents were read by the fast reader`);
});
