/** The `gamma-lens` command: a thin shell over the core (arguments, formatting, exit codes). */
import { analyzeWorkspace, ANALYZERS, docsUrl } from '../core/analyzers/index';
import type { Finding } from '../core/analyzers/index';
import { ExplainError, explain } from '../core/bindings/explain';
import type { ExplainResult } from '../core/bindings/explain';
import { bindingsMermaid, bindingsReport } from '../core/bindings/report';
import type { BindingsReport } from '../core/bindings/report';
import type { Workspace } from '../core/index/snapshot';
import { parseArgs, USAGE, UsageError } from './args';
import type { CliArgs } from './args';
import { displayPath, IoError, loadWorkspace } from './load';

declare const GAMMA_LENS_VERSION: string | undefined;

function version(): string {
  return typeof GAMMA_LENS_VERSION === 'string' ? GAMMA_LENS_VERSION : '0.0.0-dev';
}

interface Output {
  out: string[];
  err: string[];
}

function position(ws: Workspace, f: Finding): { line: number; column: number; endLine: number; endColumn: number } {
  const lines = ws.file(f.file)!.lines();
  const s = lines.positionAt(f.span.start);
  const e = lines.positionAt(f.span.end);
  return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
}

function skippedList(ws: Workspace): Array<{ file: string; line: number; reason: string }> {
  const out: Array<{ file: string; line: number; reason: string }> = [];
  for (const f of [...ws.files()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (f.skipped) out.push({ file: displayPath(f.path), line: 1, reason: f.skipped.message });
    for (const p of f.problems) out.push({ file: displayPath(f.path), line: f.lines().positionAt(p.span.start).line + 1, reason: p.message });
  }
  return out;
}

function runCheck(ws: Workspace, args: CliArgs, o: Output): number {
  const byFile = analyzeWorkspace(ws, { severity: args.severity });
  const findings = [...byFile.values()].flat();
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (args.format === 'json') {
    const json = {
      findings: findings.map((f) => ({
        file: displayPath(f.file),
        ...position(ws, f),
        severity: f.severity,
        code: f.code,
        message: f.message,
      })),
      skipped: skippedList(ws),
    };
    o.out.push(JSON.stringify(json, null, 2));
  } else if (args.format === 'sarif') {
    o.out.push(JSON.stringify(sarif(ws, findings), null, 2));
  } else {
    for (const f of findings) {
      const p = position(ws, f);
      o.out.push(`${displayPath(f.file)}:${p.line}:${p.column}: ${f.severity} ${f.code}: ${f.message}`);
    }
    const count = (s: string): number => findings.filter((f) => f.severity === s).length;
    const skipped = skippedList(ws);
    const parts = [`${errors} error${errors === 1 ? '' : 's'}`, `${count('warning')} warning${count('warning') === 1 ? '' : 's'}`, `${count('info')} info`, `${count('hint')} hint${count('hint') === 1 ? '' : 's'}`];
    o.out.push(`${findings.length} finding${findings.length === 1 ? '' : 's'} (${parts.join(', ')}) in ${ws.fileCount} file${ws.fileCount === 1 ? '' : 's'}${skipped.length ? `; ${skipped.length} skipped (use --format json to list them)` : ''}`);
  }
  return errors > 0 ? 1 : 0;
}

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** A SARIF region (1-based lines and columns) for a span of a workspace file. */
function sarifRegion(ws: Workspace, file: string, span: { start: number; end: number }): Record<string, number> | undefined {
  const lines = ws.file(file)?.lines();
  if (!lines) return undefined;
  const s = lines.positionAt(span.start);
  const e = lines.positionAt(span.end);
  return { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1, charOffset: span.start, charLength: span.end - span.start };
}

function sarifArtifact(file: string): { uri: string } {
  return { uri: encodeURI(displayPath(file)) };
}

/** SARIF 2.1.0: one rule per code (with help text and a link to its documentation), results with related locations and fixes. */
function sarif(ws: Workspace, findings: Finding[]): unknown {
  const rules = ANALYZERS.map((a) => ({
    id: a.code,
    name: a.code,
    shortDescription: { text: a.summary },
    fullDescription: { text: a.summary },
    helpUri: docsUrl(a.code),
    help: { text: `${a.summary}. What it means, why, and how to fix it: ${docsUrl(a.code)}`, markdown: `${a.summary}.\n\n[Documentation of \`${a.code}\`](${docsUrl(a.code)})` },
    defaultConfiguration: { level: SARIF_LEVEL[a.defaultSeverity] },
    properties: { tags: ['gateway-api', 'gep-1294'] },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'gamma-lens', version: version(), informationUri: 'https://github.com/gamma-lens/gamma-lens', rules } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: sarifArtifact(f.file), region: sarifRegion(ws, f.file, f.span) } }],
          relatedLocations: f.related.map((r, i) => ({
            id: i,
            message: { text: r.message },
            physicalLocation: { artifactLocation: sarifArtifact(r.file), region: sarifRegion(ws, r.file, r.span) },
          })),
          fixes: f.fixes.map((x) => {
            const byFile = new Map<string, typeof x.edits[number][]>();
            for (const e of x.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
            return {
              description: { text: x.title },
              artifactChanges: [...byFile].map(([file, edits]) => ({
                artifactLocation: sarifArtifact(file),
                replacements: edits.map((e) => ({ deletedRegion: { charOffset: e.span.start, charLength: e.span.end - e.span.start }, insertedContent: { text: e.newText } })),
              })),
            };
          }),
        })),
      },
    ],
  };
}

function bindingsText(report: BindingsReport): string[] {
  const lines: string[] = [];
  for (const s of report.services) {
    lines.push(`Service ${s.namespace}/${s.name}`);
    if (s.ports.length === 0) lines.push('  (no ports)');
    for (const p of s.ports) {
      lines.push(`  port ${p.port}${p.name ? ` (${p.name})` : ''}`);
      const consumerNs = p.consumers.map((c) => c.namespace);
      if (p.producer) {
        const except = consumerNs.length ? `all callers except ${consumerNs.join(', ')}` : 'all callers';
        lines.push(`    producer ${p.producer.kind}: ${p.producer.routes.join(', ')}  [${except}]`);
      } else {
        const except = consumerNs.length ? `callers except ${consumerNs.join(', ')}` : 'all callers';
        lines.push(`    no producer route: default Kubernetes routing  [${except}]`);
      }
      for (const c of p.consumers) lines.push(`    consumer ${c.kind} for callers in ${c.namespace}: ${c.routes.join(', ')}`);
      if (p.conflicted.length) lines.push(`    conflicted (do not apply): ${p.conflicted.join(', ')}`);
    }
  }
  if (report.services.length === 0) lines.push('No Services found.');
  return lines;
}

function explainText(r: ExplainResult): string[] {
  const lines = [`Request to ${r.service}:${r.port} from namespace ${r.from} (${r.implementation})`, `Audience: ${r.audience}${r.routes.length ? ` (${r.routes.join(', ')})` : ''}`];
  // The steps stop at the winner; the candidates of lower precedence follow it (as in the editor's explainer).
  const w = r.match ? r.candidates.findIndex((c) => c.matched) : -1;
  const rest = w >= 0 ? r.candidates.slice(w + 1) : [];
  for (const s of r.steps) {
    lines.push(`  ${s.text}${s.file && s.span ? `  [${displayPath(s.file)}]` : ''}`);
    if (s.text.startsWith('→ ')) {
      for (const c of rest) {
        const verdict = c.matched ? '·' : '✗';
        lines.push(`  ${verdict} ${c.route} rule ${c.rule}${c.match >= 0 ? ` match ${c.match}` : ''}: ${c.why} (lower precedence, not used)  [${displayPath(c.file)}]`);
      }
    }
  }
  const where = r.backends.map((b) => `${b.service}:${b.port ?? '?'} (weight ${b.weight})`).join(', ');
  if (r.status === null) lines.push(`Result: connection to ${where || 'nowhere'}`);
  else if (r.status === 200) lines.push(`Result: 200 via ${where}`);
  else if (r.status >= 300 && r.status < 400) lines.push(`Result: ${r.status} redirect`);
  else lines.push(`Result: ${r.status}`);
  return lines;
}

function runExplain(ws: Workspace, args: CliArgs, o: Output): number {
  const r = explain(ws, {
    service: args.service!,
    port: args.port,
    from: args.from!,
    path: args.path,
    method: args.method,
    headers: args.headers,
  });
  if (args.format === 'json') {
    const { steps: _steps, candidates: _candidates, ...rest } = r;
    o.out.push(JSON.stringify({ ...rest, steps: r.steps.map((s) => s.text) }, null, 2));
  } else {
    o.out.push(...explainText(r));
  }
  return 0;
}

/** Runs the CLI and returns the exit status; output goes to the given arrays. */
export function run(argv: readonly string[], o: Output): number {
  try {
    const args = parseArgs(argv);
    if (args === 'help') {
      o.out.push(USAGE);
      return 0;
    }
    if (args === 'version') {
      o.out.push(version());
      return 0;
    }
    const ws = loadWorkspace(args.paths, { defaultNamespace: args.defaultNamespace, implementation: args.implementation, crdChannel: args.crdChannel }, args.maxFileSize);
    switch (args.command) {
      case 'check':
        return runCheck(ws, args, o);
      case 'bindings': {
        // --service: only that Service (the binding map's scope for mermaid).
        const only = args.service;
        const full = bindingsReport(ws);
        const report = only ? { ...full, services: full.services.filter((s) => s.namespace === only.namespace && s.name === only.name) } : full;
        if (args.format === 'json') {
          // Paths relative to the current folder, as `check` prints them, so the output is portable.
          o.out.push(JSON.stringify({ ...report, services: report.services.map((s) => ({ ...s, file: displayPath(s.file) })) }, null, 2));
        } else if (args.format === 'mermaid') o.out.push(bindingsMermaid(ws, only ? { service: only } : {}).trimEnd());
        else o.out.push(...bindingsText(report));
        return 0;
      }
      case 'explain':
        return runExplain(ws, args, o);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof IoError || err instanceof ExplainError) {
      o.err.push(`gamma-lens: ${err.message}`);
      return 2;
    }
    o.err.push(`gamma-lens: internal error: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}
