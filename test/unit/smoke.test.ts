import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingsReport } from '../../server/src/core/bindings/report';
import { explain } from '../../server/src/core/bindings/explain';
import { REPO_ROOT, workspaceFromDisk } from '../support/workspace';
import * as path from 'node:path';

test('seed-article example: producer route for all callers, consumer route for dev-ns', () => {
  const ws = workspaceFromDisk([path.join(REPO_ROOT, 'examples', 'seed-article')]);
  const report = bindingsReport(ws);
  assert.deepEqual(
    report.services.map((s) => ({ ns: s.namespace, name: s.name, ports: s.ports.map(({ port, name, producer, consumers, conflicted }) => ({ port, name, producer, consumers, conflicted })) })),
    [
      {
        ns: 'app-ns',
        name: 'svc-a',
        ports: [
          {
            port: 80,
            name: 'http',
            producer: { kind: 'HTTPRoute', routes: ['HTTPRoute/app-ns/route-b'] },
            consumers: [{ namespace: 'dev-ns', kind: 'HTTPRoute', routes: ['HTTPRoute/dev-ns/route-c'] }],
            conflicted: [],
          },
        ],
      },
      { ns: 'ext-ns', name: 'svc-b', ports: [{ port: 80, name: 'http', producer: null, consumers: [], conflicted: [] }] },
    ],
  );
  const other = explain(ws, { service: { namespace: 'app-ns', name: 'svc-a' }, from: 'other-ns' });
  assert.equal(other.audience, 'producer');
  assert.deepEqual(other.backends, [{ service: 'ext-ns/svc-b', port: 80, weight: 100 }]);
  const dev = explain(ws, { service: { namespace: 'app-ns', name: 'svc-a' }, from: 'dev-ns' });
  assert.equal(dev.audience, 'consumer');
  assert.deepEqual(dev.backends, [{ service: 'app-ns/svc-a', port: 80, weight: 1 }]);
});
