/** `check --format sarif` against the official SARIF 2.1.0 JSON schema (test/fixtures/sarif-schema-2.1.0.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { ANALYZERS, docsUrl } from '../../server/src/core/analyzers/index';
import { run as cli } from '../../server/src/cli/main';
import { REPO_ROOT } from '../support/workspace';

const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; rules: Array<{ id: string; helpUri: string; help: { text: string }; defaultConfiguration: { level: string } }> } };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }>;
      relatedLocations: Array<{ message: { text: string }; physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }>;
      fixes: Array<{ description: { text: string }; artifactChanges: Array<{ replacements: Array<{ deletedRegion: { charOffset: number; charLength: number }; insertedContent: { text: string } }> }> }>;
    }>;
  }>;
}

function sarifOf(args: string[]): { status: number; log: SarifLog; raw: unknown } {
  const o = { out: [] as string[], err: [] as string[] };
  const status = cli(['check', ...args, '--format', 'sarif'], o);
  assert.deepEqual(o.err, []);
  const raw = JSON.parse(o.out.join('\n')) as unknown;
  return { status, log: raw as SarifLog, raw };
}

function assertValid(doc: unknown): void {
  const ok = validate(doc);
  assert.ok(ok, JSON.stringify(validate.errors, null, 1));
}

test('the validator rejects documents that break the schema (so the other assertions can fail)', () => {
  assert.equal(validate({ version: '2.1.0' }), false);
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'loud' }] }] }), false);
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] }), false);
});

test('SARIF for the diagnostics fixture: schema-valid, one rule per code with help and helpUri, regions, related locations, fixes', () => {
  const dir = path.relative(process.cwd(), path.join(REPO_ROOT, 'test', 'fixtures', 'diagnostics', 'basic'));
  const { status, log, raw } = sarifOf([dir]);
  assert.equal(status, 0);
  assertValid(raw);
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'gamma-lens');
  assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ANALYZERS.map((a) => a.code));
  for (const r of run.tool.driver.rules) {
    assert.equal(r.helpUri, docsUrl(r.id));
    assert.ok(r.help.text.includes(docsUrl(r.id)));
  }
  assert.equal(run.tool.driver.rules.find((r) => r.id === 'unmatched-requests')!.defaultConfiguration.level, 'note');
  const uri = `${dir.split(path.sep).join('/')}/route.yaml`;
  const text = fs.readFileSync(path.join(dir, 'route.yaml'), 'utf8');
  const core = text.indexOf('group: core') + 'group: '.length;
  const port = text.indexOf('8080');
  const typo = text.indexOf('svc-aa');
  assert.deepEqual(
    run.results.map((r) => [r.ruleId, run.tool.driver.rules[r.ruleIndex]!.id, r.level, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region]),
    [
      ['parent-group-core', 'parent-group-core', 'warning', uri, { startLine: 9, startColumn: 12, endLine: 9, endColumn: 16, charOffset: core, charLength: 4 }],
      ['parent-port-not-found', 'parent-port-not-found', 'warning', uri, { startLine: 16, startColumn: 11, endLine: 16, endColumn: 15, charOffset: port, charLength: 4 }],
      ['backend-service-not-found', 'backend-service-not-found', 'warning', uri, { startLine: 20, startColumn: 13, endLine: 20, endColumn: 19, charOffset: typo, charLength: 6 }],
    ],
  );
  const portResult = run.results[1]!;
  assert.deepEqual(portResult.relatedLocations.map((r) => [r.message.text, r.physicalLocation.artifactLocation.uri, r.physicalLocation.region.startLine, r.physicalLocation.region.startColumn]), [
    ['Service port 80', `${dir.split(path.sep).join('/')}/service.yaml`, 8, 5],
  ]);
  assert.deepEqual(portResult.fixes.map((x) => [x.description.text, x.artifactChanges[0]!.replacements]), [['Change port to 80', [{ deletedRegion: { charOffset: port, charLength: 4 }, insertedContent: { text: '80' } }]]]);
});

test('SARIF with no findings, with an info, a hint and paths that need URI encoding, stays schema-valid', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gl sarif '));
  try {
    fs.writeFileSync(
      path.join(tmp, 'grpc route.yaml'),
      [
        'apiVersion: gateway.networking.k8s.io/v1alpha2',
        'kind: GRPCRoute',
        'metadata: {name: g}',
        'spec:',
        '  parentRefs: [{name: gw}]',
        '  rules: [{backendRefs: [{name: a, port: 1}, {name: b, port: 1, weight: 0}]}]',
        '',
      ].join('\n'),
    );
    const { log, raw } = sarifOf([tmp]);
    assertValid(raw);
    assert.deepEqual(log.runs[0]!.results.map((r) => [r.ruleId, r.level]), [
      ['api-version-deprecated', 'note'],
      ['backend-service-not-found', 'warning'],
      ['backend-service-not-found', 'note'],
    ]);
    assert.match(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, /gl%20sarif%20.*\/grpc%20route\.yaml$/);
    const empty = sarifOf([path.join(REPO_ROOT, 'examples', 'seed-article')]);
    assertValid(empty.raw);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
