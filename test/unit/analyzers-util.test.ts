/** Helpers shared by analyzers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { otherNamespacesWithService } from '../../server/src/core/analyzers/util';
import { workspace } from '../support/workspace';

const svc = (ns: string, name: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {ports: [{port: 80}]}\n`;

test('otherNamespacesWithService: the sorted namespaces holding the name, without the one given, per snapshot', () => {
  const ws1 = workspace({ '/ws/c.yaml': svc('gamma', 'api'), '/ws/a.yaml': svc('alpha', 'api'), '/ws/b.yaml': svc('beta', 'api'), '/ws/d.yaml': svc('alpha', 'web') });
  assert.equal(otherNamespacesWithService(ws1, 'api', 'delta'), 'alpha, beta, gamma');
  assert.equal(otherNamespacesWithService(ws1, 'api', 'beta'), 'alpha, gamma');
  assert.equal(otherNamespacesWithService(ws1, 'api', 'alpha'), 'beta, gamma');
  assert.equal(otherNamespacesWithService(ws1, 'web', 'alpha'), '');
  assert.equal(otherNamespacesWithService(ws1, 'none', 'alpha'), '');
  // The next snapshot sees its own Services, and the first one still answers as before.
  const ws2 = ws1.withFiles([{ path: '/ws/b.yaml', text: null }, { path: '/ws/e.yaml', text: svc('aardvark', 'api') }]);
  assert.equal(otherNamespacesWithService(ws2, 'api', 'delta'), 'aardvark, alpha, gamma');
  assert.equal(otherNamespacesWithService(ws1, 'api', 'delta'), 'alpha, beta, gamma');
});
