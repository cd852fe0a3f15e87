/* global acquireVsCodeApi, document, window, Node */
// The request explainer page. DOM contract (stable for tests): form#gl-explain-form with #gl-service,
// #gl-port, #gl-from, #gl-method, #gl-path, #gl-headers, button#gl-run; after a run body[data-state="done"]
// (or "error"), #gl-result holds [data-audience], [data-status], ol#gl-steps > li[data-step],
// table#gl-candidates tr[data-candidate][data-matched][data-winner], #gl-backends li[data-backend]; every
// link to YAML is a[data-loc].
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const form = $('gl-explain-form');
  const serviceSel = $('gl-service');
  const portSel = $('gl-port');
  const fromIn = $('gl-from');
  const result = $('gl-result');
  const message = $('gl-message');
  let services = [];
  let locations = [];

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    for (const c of [].concat(children || [])) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  /** A link to the YAML behind a line, or plain text when there is no location. */
  function link(text, location) {
    if (!location) return document.createTextNode(text);
    locations.push(location);
    const a = el('a', { href: '#', 'data-loc': locations.length - 1, title: `${decodeURIComponent(location.uri.replace(/^.*\//, ''))}:${location.range.start.line + 1}` }, text);
    return a;
  }

  function say(text, error) {
    message.textContent = text || '';
    message.classList.toggle('gl-error', Boolean(error));
  }

  function fillPorts(selected) {
    const svc = services.find((s) => `${s.namespace}/${s.name}` === serviceSel.value);
    portSel.textContent = '';
    for (const p of svc ? svc.ports : []) {
      portSel.append(el('option', { value: p.port, selected: p.port === selected ? '' : undefined }, p.name ? `${p.port} (${p.name})` : String(p.port)));
    }
    portSel.disabled = !svc || svc.ports.length < 2;
  }

  function init(list, target) {
    services = list;
    serviceSel.textContent = '';
    for (const s of services) serviceSel.append(el('option', { value: `${s.namespace}/${s.name}` }, `${s.namespace}/${s.name}`));
    const dl = $('gl-namespaces');
    dl.textContent = '';
    for (const ns of Array.from(new Set(services.map((s) => s.namespace))).sort()) dl.append(el('option', { value: ns }));
    if (target.service) serviceSel.value = target.service;
    fillPorts(target.port);
    if (target.from) fromIn.value = target.from;
    if (target.path) $('gl-path').value = target.path;
    if (target.method) $('gl-method').value = target.method.toUpperCase();
    if (target.headers) $('gl-headers').value = target.headers.map((h) => `${h[0]}: ${h[1]}`).join('\n');
    say(services.length ? '' : 'No Services found in the workspace.');
    document.body.setAttribute('data-state', 'idle');
    if (target.service && target.from) run();
    else if (target.service) fromIn.focus();
    else serviceSel.focus();
  }

  function headers() {
    return $('gl-headers')
      .value.split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.search(/[:=]/);
        return i > 0 ? [l.slice(0, i).trim(), l.slice(i + 1).trim()] : [l, ''];
      });
  }

  function run() {
    if (!serviceSel.value || !fromIn.value.trim()) {
      say('Pick a Service and type the caller namespace.', true);
      return;
    }
    const svc = services.find((s) => `${s.namespace}/${s.name}` === serviceSel.value);
    const params = {
      uri: svc ? svc.uri : undefined,
      service: serviceSel.value,
      port: portSel.value ? Number(portSel.value) : undefined,
      from: fromIn.value.trim(),
      path: $('gl-path').value || '/',
      method: $('gl-method').value,
      headers: headers(),
    };
    document.body.setAttribute('data-state', 'running');
    vscode.postMessage({ type: 'explain', params: params });
  }

  function statusText(r) {
    if (r.status === null) return ['gl-status-ok', 'connection (TCP/TLS: no request matching)'];
    if (r.status === 200) return ['gl-status-ok', '200: forwarded'];
    if (r.status >= 300 && r.status < 400) return ['gl-status-redirect', `${r.status}: redirect`];
    if (r.status === 404) return ['gl-status-bad', '404: no rule matches'];
    if (r.status === 500) return ['gl-status-bad', '500: the matching rule has nowhere to send it'];
    return ['gl-status-bad', String(r.status)];
  }

  function show(r, params) {
    locations = [];
    result.textContent = '';
    if (r.error) {
      say(r.error, true);
      document.body.setAttribute('data-state', 'error');
      return;
    }
    say('');
    const [cls, text] = statusText(r);
    const winner = r.candidates.find((c) => c.winner);
    const summary = el('dl', { class: 'gl-summary' }, [
      el('dt', {}, 'Request'),
      el('dd', { class: 'gl-mono' }, `${params.method || 'GET'} ${params.path || '/'} → ${r.service}:${r.port} from namespace ${r.from}`),
      el('dt', {}, 'Audience'),
      el('dd', {}, [
        el('span', { class: 'gl-badge', 'data-audience': r.audience }, r.audience),
        ' ',
        r.audience === 'consumer'
          ? `consumer routes of ${r.from} replace the producer routes`
          : r.audience === 'producer'
            ? 'the producer routes apply'
            : 'no route binds this port for this caller: default Kubernetes routing',
      ]),
      el('dt', {}, 'Winning rule'),
      el('dd', { 'data-winner': winner ? winner.route : '' }, winner ? [link(`${winner.route} rule ${winner.rule}${winner.match >= 0 ? ` match ${winner.match}` : ''}`, winner.location)] : r.audience === 'default' ? 'none needed' : 'none'),
      el('dt', {}, 'Result'),
      el('dd', { class: cls, 'data-status': r.status === null ? 'none' : r.status }, text),
      el('dt', {}, 'Backends'),
      el(
        'dd',
        {},
        r.backends.length
          ? [el('ul', { id: 'gl-backends', class: 'gl-steps' }, r.backends.map((b, i) => el('li', { 'data-backend': i }, [link(`${b.service}:${b.port === null ? '?' : b.port}`, b.location), ` weight ${b.weight}${b.kind ? ` (${b.kind})` : ''}`])))]
          : 'none',
      ),
    ]);
    result.append(summary);
    result.append(el('h3', {}, 'Steps'));
    result.append(el('ol', { id: 'gl-steps', class: 'gl-steps' }, r.steps.map((s, i) => el('li', { 'data-step': i }, [link(s.text, s.location)]))));
    if (r.candidates.length) {
      result.append(el('h3', {}, 'Candidate matches in precedence order'));
      const rows = r.candidates.map((c, i) =>
        el('tr', { 'data-candidate': i, 'data-matched': c.matched, 'data-winner': c.winner }, [
          el('td', {}, String(i + 1)),
          el('td', {}, [link(c.route, c.location)]),
          el('td', {}, `rule ${c.rule}${c.match >= 0 ? `, match ${c.match}` : ''}`),
          el('td', { class: 'gl-verdict' }, c.winner ? '✓ wins' : c.matched ? '✓ matches (lower precedence)' : '✗ no match'),
          el('td', {}, c.why),
        ]),
      );
      result.append(
        el('table', { id: 'gl-candidates', class: 'gl-candidates' }, [
          el('thead', {}, el('tr', {}, ['#', 'Route', 'Rule', 'Verdict', 'Why'].map((h) => el('th', {}, h)))),
          el('tbody', {}, rows),
        ]),
      );
    }
    document.body.setAttribute('data-state', 'done');
  }

  result.addEventListener('click', (ev) => {
    const a = ev.target.closest ? ev.target.closest('a[data-loc]') : null;
    if (!a) return;
    ev.preventDefault();
    vscode.postMessage({ type: 'open', location: locations[Number(a.getAttribute('data-loc'))] });
  });
  serviceSel.addEventListener('change', () => fillPorts());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m.type === 'init') init(m.services, m.target || {});
    else if (m.type === 'result') show(m.result, m.params);
    else if (m.type === 'message') say(m.text, true);
  });
  document.body.setAttribute('data-state', 'loading');
  vscode.postMessage({ type: 'ready' });
})();
