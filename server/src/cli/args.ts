/** Command-line parsing for `gamma-lens`. Usage errors throw `UsageError` (exit 2). */
import { isImplementation } from '../core/options';
import type { CrdChannel, Implementation } from '../core/options';
import type { SeverityOverride } from '../core/analyzers/types';
import { parseSize } from '../runtime';

export class UsageError extends Error {}

export type Command = 'check' | 'bindings' | 'explain';

export interface CliArgs {
  readonly command: Command;
  readonly paths: readonly string[];
  readonly format: string;
  readonly defaultNamespace: string;
  readonly implementation: Implementation;
  readonly crdChannel: CrdChannel;
  readonly maxFileSize?: number;
  readonly severity: Readonly<Record<string, SeverityOverride>>;
  readonly service?: { namespace: string; name: string };
  readonly port?: number;
  readonly from?: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers: ReadonlyArray<[string, string]>;
}

const FORMATS: Record<Command, readonly string[]> = {
  check: ['text', 'json', 'sarif'],
  bindings: ['text', 'json', 'mermaid'],
  explain: ['text', 'json'],
};

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);

export const USAGE = `Usage: gamma-lens <command> [PATH...] [options]

Commands:
  check      report GEP-1294 binding problems          --format text|json|sarif
  bindings   show which routes bind each Service port  --format text|json|mermaid
             [--service NS/NAME]: only that Service (mermaid: the routes that name it, as the binding map draws it)
  explain    explain where one request goes            --format text|json
             --service NS/NAME [--port N] --from NS [--path P] [--method M] [--header K=V]...

Options (all commands):
  --default-namespace NS    namespace of objects without one (default: default)
  --implementation NAME     generic|istio|istio-ambient|linkerd|cilium (default: generic)
  --crd-channel NAME        standard|experimental (default: standard)
  --max-file-size SIZE      skip larger files (default: 10MB)
  --severity CODE=LEVEL     override a code's severity (error|warning|info|hint|off), repeatable
  -h, --help                show this help
  --version                 print the version

Exit status: 0 ok, 1 findings of severity error (check), 2 usage or I/O error.`;

export function parseArgs(argv: readonly string[]): CliArgs | 'help' | 'version' {
  if (argv.length === 0) throw new UsageError('missing command (check, bindings or explain); see gamma-lens --help');
  if (argv.includes('-h') || argv.includes('--help')) return 'help';
  if (argv[0] === '--version' || argv[0] === '-v') return 'version';
  const command = argv[0] as Command;
  if (!(command in FORMATS)) throw new UsageError(`unknown command '${argv[0]}' (expected check, bindings or explain)`);
  const paths: string[] = [];
  const severity: Record<string, SeverityOverride> = {};
  const headers: Array<[string, string]> = [];
  const opts: Record<string, string> = {};
  const valued = new Set(['--format', '--default-namespace', '--implementation', '--crd-channel', '--max-file-size', '--service', '--port', '--from', '--path', '--method']);
  for (let i = 1; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) {
      value = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    const take = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--severity') {
      const v = take();
      const eq = v.indexOf('=');
      const level = v.slice(eq + 1);
      if (eq <= 0 || !SEVERITIES.has(level)) throw new UsageError(`--severity takes CODE=LEVEL with LEVEL one of error, warning, info, hint, off (got '${v}')`);
      severity[v.slice(0, eq)] = level as SeverityOverride;
    } else if (arg === '--header') {
      const v = take();
      const eq = v.search(/[=:]/);
      if (eq <= 0) throw new UsageError(`--header takes NAME=VALUE (got '${v}')`);
      headers.push([v.slice(0, eq).trim(), v.slice(eq + 1).trim()]);
    } else if (valued.has(arg)) {
      opts[arg] = take();
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}; see gamma-lens --help`);
    } else {
      paths.push(arg);
    }
  }
  const format = opts['--format'] ?? 'text';
  if (!FORMATS[command].includes(format)) throw new UsageError(`--format for ${command} must be one of ${FORMATS[command].join(', ')} (got '${format}')`);
  const implementation = opts['--implementation'] ?? 'generic';
  if (!isImplementation(implementation)) throw new UsageError(`--implementation must be one of generic, istio, istio-ambient, linkerd, cilium (got '${implementation}')`);
  const crdChannel = opts['--crd-channel'] ?? 'standard';
  if (crdChannel !== 'standard' && crdChannel !== 'experimental') throw new UsageError(`--crd-channel must be standard or experimental (got '${crdChannel}')`);
  let maxFileSize: number | undefined;
  if (opts['--max-file-size'] !== undefined) {
    maxFileSize = parseSize(opts['--max-file-size']);
    if (maxFileSize === undefined) throw new UsageError(`--max-file-size takes a size such as 10MB (got '${opts['--max-file-size']}')`);
  }
  const defaultNamespace = opts['--default-namespace'] ?? 'default';
  if (!defaultNamespace) throw new UsageError('--default-namespace needs a non-empty value');
  let service: CliArgs['service'];
  let port: number | undefined;
  if (command === 'bindings' && opts['--service'] !== undefined) {
    const s = opts['--service'];
    const slash = s.indexOf('/');
    if (slash <= 0 || slash === s.length - 1) throw new UsageError(`--service takes NAMESPACE/NAME (got '${s}')`);
    service = { namespace: s.slice(0, slash), name: s.slice(slash + 1) };
  }
  if (command === 'explain') {
    const s = opts['--service'];
    if (!s) throw new UsageError('explain needs --service NAMESPACE/NAME');
    const slash = s.indexOf('/');
    if (slash <= 0 || slash === s.length - 1) throw new UsageError(`--service takes NAMESPACE/NAME (got '${s}')`);
    service = { namespace: s.slice(0, slash), name: s.slice(slash + 1) };
    if (!opts['--from']) throw new UsageError('explain needs --from NAMESPACE (the namespace of the caller)');
    if (opts['--port'] !== undefined) {
      if (!/^\d+$/.test(opts['--port'])) throw new UsageError(`--port takes a number (got '${opts['--port']}')`);
      port = Number(opts['--port']);
    }
  }
  return {
    command,
    paths: paths.length ? paths : ['.'],
    format,
    defaultNamespace,
    implementation,
    crdChannel,
    maxFileSize,
    severity,
    service,
    port,
    from: opts['--from'],
    path: opts['--path'],
    method: opts['--method'],
    headers,
  };
}
