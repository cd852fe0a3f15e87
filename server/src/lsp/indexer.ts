/**
 * Workspace indexing for the language server: one immutable snapshot per workspace folder, built
 * from disk in batches (yielding between them so requests are served during the scan), kept current
 * from editor buffers and file events, with diagnostics published incrementally and a
 * `gammaLens/status` notification once they are out.
 */
import * as fs from 'node:fs';
import type { Connection, Diagnostic, DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import { CodeLensRefreshRequest, DiagnosticSeverity } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver/node';
import { analyzeFile } from '../core/analyzers/index';
import type { AnalysisSettings, Finding, SeverityOverride } from '../core/analyzers/types';
import { docsUrl } from '../core/analyzers/types';
import { Workspace, releaseText, serviceKey } from '../core/index/snapshot';
import type { FileChange, IndexedFile } from '../core/index/snapshot';
import { extractFile } from '../core/model/extract';
import { lineStarts } from '../core/text';
import { isRoute, isService } from '../core/model/types';
import type { K8sObject } from '../core/model/types';
import { DEFAULT_OPTIONS, isImplementation } from '../core/options';
import type { EngineOptions, Implementation } from '../core/options';
import { DEFAULT_SETTINGS, DIAGNOSTIC_SOURCE, StatusNotification } from '../protocol';
import type { DiagnosticData, Settings, StatusParams } from '../protocol';
import { SKIPPED_DIRS, isYamlPath, listYamlFiles, readTextFile, resolvesInside } from '../runtime';
import { ExtractionCache, diagnosticsOf } from './cache';
import type { CacheEntry, DeferredLists, FolderDiagnostics, PublishedList } from './cache';
import { pathToUri, rememberUri, toLocation, toRange, uriToPath } from './convert';
import { globMatcher } from './glob';

/** One workspace folder (or the "loose" bucket for open files outside every folder). */
export interface Folder {
  readonly uri: string | undefined;
  /** POSIX path without a trailing slash; '' for the loose bucket. */
  readonly root: string;
  settings: Settings;
  filesExclude: readonly string[];
  excluded: (relative: string) => boolean;
  ws: Workspace;
  /** Changes not yet applied to `ws`. */
  readonly pending: Map<string, FileChange>;
  /** Files changed since their diagnostics were last published, and the objects they held before. */
  readonly dirty: Set<string>;
  dirtyOld: K8sObject[];
  /** Fingerprints of the global-kind objects the changed files held before (see `globalFingerprints`). */
  dirtyOldGlobals: string[];
  fullAnalysis: boolean;
  /** Files with a non-empty diagnostic list published. */
  readonly published: Set<string>;
}

const BATCH_FILES = 200;
const ANALYZE_BATCH = 200;
const CHANGE_DEBOUNCE_MS = 50;
/**
 * Background work (writing the cache) waits until no edit came for this long, counting the server's
 * start as one (GAMMA_LENS_BACKGROUND_QUIET_MS overrides it, for tests).
 */
const BACKGROUND_QUIET_MS = Number(process.env.GAMMA_LENS_BACKGROUND_QUIET_MS ?? 300);
/** Longest stretch of background work (filling deferred lists) between two pauses, in milliseconds. */
const BACKGROUND_SLICE_MS = 4;

/** Kinds whose change can affect findings anywhere in the folder (grants, gateways, namespaces, kustomize). */
const GLOBAL_KINDS = new Set(['Gateway', 'GatewayClass', 'ReferenceGrant', 'Namespace', 'Kustomization', 'ServiceImport']);

function yieldNow(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function engineOptions(s: Settings): EngineOptions {
  return {
    defaultNamespace: s.defaultNamespace || DEFAULT_OPTIONS.defaultNamespace,
    implementation: isImplementation(s.implementation) ? (s.implementation as Implementation) : DEFAULT_OPTIONS.implementation,
    crdChannel: s.crdChannel === 'experimental' ? 'experimental' : 'standard',
  };
}

function sameOptions(a: EngineOptions, b: EngineOptions): boolean {
  return a.defaultNamespace === b.defaultNamespace && a.implementation === b.implementation && a.crdChannel === b.crdChannel;
}

/** Merges a partial settings object (from the client) over the defaults. */
export function toSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const str = (v: unknown, d: string): string => (typeof v === 'string' && v ? v : d);
  const severity: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(obj(r.diagnostics).severity))) if (typeof v === 'string') severity[k] = v;
  const maxFileSize = typeof r.maxFileSize === 'number' && r.maxFileSize > 0 ? r.maxFileSize : DEFAULT_SETTINGS.maxFileSize;
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SETTINGS.enable,
    defaultNamespace: str(r.defaultNamespace, DEFAULT_SETTINGS.defaultNamespace),
    implementation: str(r.implementation, DEFAULT_SETTINGS.implementation),
    crdChannel: str(r.crdChannel, DEFAULT_SETTINGS.crdChannel),
    exclude: Array.isArray(r.exclude) ? r.exclude.filter((x): x is string => typeof x === 'string') : [],
    maxFileSize,
    diagnostics: { severity },
    codeLens: { enable: typeof obj(r.codeLens).enable === 'boolean' ? (obj(r.codeLens).enable as boolean) : true },
  };
}

function filesExcludeList(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object') return [];
  return Object.entries(raw as Record<string, unknown>)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
}

export function analysisSettings(s: Settings): AnalysisSettings {
  const severity: Record<string, SeverityOverride> = {};
  for (const [k, v] of Object.entries(s.diagnostics.severity)) {
    if (v === 'error' || v === 'warning' || v === 'info' || v === 'hint' || v === 'off') severity[k] = v;
  }
  return { severity };
}

/** A folder's analysis settings and their cache key, made once per Settings object (not once per file). */
function analysisOf(s: Settings): { key: string; settings: AnalysisSettings } {
  let a = analysisBySettings.get(s);
  if (!a) analysisBySettings.set(s, (a = { key: JSON.stringify(s.diagnostics.severity), settings: analysisSettings(s) }));
  return a;
}

const analysisBySettings = new WeakMap<Settings, { key: string; settings: AnalysisSettings }>();

/** Where a file's findings are kept in a snapshot's findings cache (they depend on the severities). */
function findingsKey(folder: Folder, path: string): string {
  return `${analysisOf(folder.settings).key}\u0000${path}`;
}

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface Capabilities {
  configuration: boolean;
  workDoneProgress: boolean;
  watchedFilesDynamic: boolean;
  configurationDynamic: boolean;
  codeLensRefresh: boolean;
}

/** A writer that sends a message given as its JSON text, in parts (see StdioMessageWriter). */
export interface EncodedWriter {
  writeEncoded(parts: readonly Uint8Array[]): Promise<void>;
}

/** The JSON of a `textDocument/publishDiagnostics` notification around its uri and its list. */
const PUBLISH_HEAD = Buffer.from('{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":', 'utf8');
const PUBLISH_LIST = Buffer.from(',"diagnostics":', 'utf8');
const PUBLISH_TAIL = Buffer.from('}}', 'utf8');

export class Indexer {
  readonly folders: Folder[] = [];
  readonly loose: Folder;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private lastChangeAt = Date.now();
  private initialDone = false;
  caps: Capabilities = { configuration: false, workDoneProgress: false, watchedFilesDynamic: false, configurationDynamic: false, codeLensRefresh: false };
  /** Settings pushed by didChangeConfiguration, for clients without `workspace/configuration`. */
  private pushedSettings: unknown;
  /** Folder for the extraction cache (warm starts); none: no cache. Set before `start`. */
  cacheDir: string | undefined;
  /**
   * Called once, in the event-loop turn after the first `ready` was sent (the server is idle then);
   * a line it returns goes to the log.
   */
  onFirstReady: (() => string | undefined) | undefined;
  /** Sends stored diagnostics as their JSON, when the transport allows; else they are decoded and sent. */
  encoded: EncodedWriter | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
  ) {
    this.loose = this.makeFolder(undefined, '');
  }

  private makeFolder(uri: string | undefined, root: string): Folder {
    return {
      uri,
      root,
      settings: DEFAULT_SETTINGS,
      filesExclude: [],
      excluded: () => false,
      ws: Workspace.empty(DEFAULT_OPTIONS),
      pending: new Map(),
      dirty: new Set(),
      dirtyOld: [],
      dirtyOldGlobals: [],
      fullAnalysis: false,
      published: new Set(),
    };
  }

  addFolder(uri: string): void {
    const root = uriToPath(uri);
    if (root === undefined) return;
    const clean = root.length > 1 ? root.replace(/\/+$/, '') : root;
    if (this.folders.some((f) => f.root === clean)) return;
    this.folders.push(this.makeFolder(uri, clean));
    // Most specific first, so a file belongs to the innermost folder.
    this.folders.sort((a, b) => b.root.length - a.root.length);
  }

  private contains(root: string, path: string): boolean {
    if (!root) return false;
    if (root === '/') return path.startsWith('/');
    return path === root || path.startsWith(`${root}/`);
  }

  folderFor(path: string): Folder {
    return this.folders.find((f) => this.contains(f.root, path)) ?? this.loose;
  }

  private relative(folder: Folder, path: string): string {
    return folder.root === '/' ? path.slice(1) : path.slice(folder.root.length + 1);
  }

  /** True when `path` is excluded by settings in its folder (itself or one of its parent folders). */
  isExcluded(folder: Folder, path: string): boolean {
    if (!folder.root) return false;
    const rel = this.relative(folder, path);
    const parts = rel.split('/');
    if (parts.some((p) => SKIPPED_DIRS.has(p))) return true;
    for (let i = 1; i <= parts.length; i++) if (folder.excluded(parts.slice(0, i).join('/'))) return true;
    return false;
  }

  private openDocument(path: string): TextDocument | undefined {
    return this.documents.get(pathToUri(path));
  }

  /** Applies pending changes so requests answer from the text the editor has. */
  applyPending(folder: Folder): Workspace {
    // Whatever asks may read any route's rules or Service's ports.
    this.fillDeferred();
    return this.applyChanges(folder);
  }

  /** Applies pending changes (which reads no rules or ports: see `fillDeferred`). */
  private applyChanges(folder: Folder): Workspace {
    if (folder.pending.size === 0) return folder.ws;
    const before = folder.ws;
    for (const p of folder.pending.keys()) {
      const old = before.file(p);
      if (old) {
        folder.dirtyOld.push(...old.objects);
        // Published diagnostics reflect the version before the first unpublished change.
        if (!folder.dirty.has(p)) folder.dirtyOldGlobals.push(...globalFingerprints(old));
      }
      folder.dirty.add(p);
    }
    folder.ws = before.withFiles([...folder.pending.values()]);
    folder.pending.clear();
    return folder.ws;
  }

  // ---- Settings -------------------------------------------------------------------------------

  private async fetchSettings(folder: Folder): Promise<{ settings: Settings; filesExclude: string[] }> {
    if (!this.caps.configuration) {
      const pushed = (this.pushedSettings as Record<string, unknown> | undefined) ?? {};
      return { settings: toSettings(pushed.gammaLens), filesExclude: filesExcludeList((pushed.files as Record<string, unknown> | undefined)?.exclude) };
    }
    try {
      const [g, fx] = (await this.connection.workspace.getConfiguration([
        { scopeUri: folder.uri, section: 'gammaLens' },
        { scopeUri: folder.uri, section: 'files.exclude' },
      ])) as unknown[];
      return { settings: toSettings(g), filesExclude: filesExcludeList(fx) };
    } catch (err) {
      this.connection.console.warn(`could not read settings for ${folder.root || 'files outside the workspace'}: ${String(err)}`);
      return { settings: DEFAULT_SETTINGS, filesExclude: [] };
    }
  }

  private applySettings(folder: Folder, s: { settings: Settings; filesExclude: string[] }): void {
    folder.settings = s.settings;
    folder.filesExclude = s.filesExclude;
    folder.excluded = globMatcher([...s.filesExclude, ...s.settings.exclude]);
  }

  // ---- Scheduling -----------------------------------------------------------------------------

  /** Runs jobs one after another; a failing job is logged and does not stop the next. */
  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queued++;
    this.chain = this.chain
      .then(job)
      .catch((err: unknown) => {
        this.connection.console.error(`indexing failed: ${(err as Error)?.stack ?? String(err)}`);
      })
      .finally(() => this.queued--);
    return this.chain;
  }

  /** Jobs queued or running. */
  private queued = 0;

  /**
   * Between two slices of background work (writing the cache): lets everything else run first, and
   * waits while edits come in (one in the last BACKGROUND_QUIET_MS, one scheduled or being
   * analysed), so that typing is never slowed by it. On shutdown it stops waiting.
   */
  private async backgroundPause(): Promise<void> {
    await yieldNow();
    while (!this.stopping && (this.queued > 0 || this.timer !== undefined || Date.now() - this.lastChangeAt < BACKGROUND_QUIET_MS)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Set on shutdown: background work finishes without pauses. */
  private stopping = false;
  /** The cache being written, if any. */
  private cacheWrite: Promise<void> | undefined;

  /** On shutdown: finishes writing the cache (at full speed), so that the next start can use it. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await this.cacheWrite;
  }

  private schedule(delay: number): void {
    const due = Date.now() + delay;
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(() => this.flush());
    }, delay);
  }

  private sendStatus(state: StatusParams['state']): void {
    let files = 0;
    let resources = 0;
    for (const f of [...this.folders, this.loose]) {
      files += f.ws.fileCount;
      resources += f.ws.resourceCount;
    }
    const params: StatusParams = { state, files, resources };
    void this.connection.sendNotification(StatusNotification, params);
    const hook = state === 'ready' ? this.onFirstReady : undefined;
    if (hook) {
      this.onFirstReady = undefined;
      setImmediate(() => {
        const line = hook();
        if (line) this.connection.console.log(line);
      });
    }
  }

  // ---- Initial scan and re-scans --------------------------------------------------------------

  /** Reads settings and indexes every folder, then publishes diagnostics and reports ready. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      this.sendStatus('indexing');
      // The progress token and every folder's settings are asked for at once: one round trip to the
      // client before the scan instead of one per request.
      const creating = this.caps.workDoneProgress ? this.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
      const folders = [...this.folders, this.loose];
      const asked = Promise.all(folders.map((folder) => this.fetchSettings(folder)));
      // The cache's tables are read while the client answers (its file depends on no setting).
      const cache = this.openCache();
      const settings = await asked; // never rejects: a failed request gives the defaults
      let progress: Awaited<ReturnType<Connection['window']['createWorkDoneProgress']>> | undefined;
      if (creating) {
        try {
          progress = await creating;
          progress?.begin('GAMMA Lens: indexing', 0, undefined, false);
        } catch {
          progress = undefined;
        }
      }
      folders.forEach((folder, i) => this.applySettings(folder, settings[i]!));
      const all = this.folders.length;
      let done = 0;
      const store = cache ? new Map<string, CacheEntry>() : undefined;
      this.collected = cache ? new Map() : undefined;
      for (const folder of this.folders) {
        // A folder whose files are all unchanged since the cache was written gets the diagnostics
        // published then, without an analysis; open buffers are then applied as edits.
        const key = folderKey(folder);
        const stored = cache?.diagnosticsKey(folder.root) === key ? cache.diagnostics(folder.root) : undefined;
        const reuse = stored?.key === key ? stored : undefined;
        const misses = this.cacheMisses;
        const early = (this.early = reuse ? { folder, stored: reuse, published: false } : undefined);
        await this.scanFolder(folder, (msg) => progress?.report(Math.round((done / Math.max(1, all)) * 100), msg), cache, store, reuse !== undefined);
        this.early = undefined;
        this.statted.clear();
        if (reuse && this.cacheMisses === misses) {
          if (!early?.published) this.publishStored(folder, reuse);
        } else if (early?.published) {
          // Published before a cached file turned out unreadable: the folder is analysed after all.
          folder.fullAnalysis = true;
          this.reusedDiagnostics--;
        }
        done++;
      }
      // Every extraction the scans could use is taken: the cache file is let go.
      cache?.close();
      // Open documents outside every folder.
      for (const d of this.documents.all()) {
        const p = uriToPath(d.uri);
        if (p && this.folderFor(p) === this.loose) this.loose.pending.set(p, { path: p, text: d.getText(), version: d.version });
      }
      this.loose.ws = this.loose.ws.withOptions(engineOptions(this.loose.settings));
      this.loose.fullAnalysis = true;
      progress?.report(100, 'publishing diagnostics');
      await this.publishAll();
      progress?.done();
      this.initialDone = true;
      this.sendStatus('ready');
      void this.fillDeferredInBackground();
      if (cache && store) {
        this.connection.console.info(`cache: ${this.cacheHits} files reused, ${this.cacheMisses} read${this.reusedDiagnostics ? `, diagnostics of ${this.reusedDiagnostics} folder(s) reused` : ''} (${cache.file})`);
        this.writeCache(cache, store);
      }
      this.collected = undefined;
      this.sameAsDisk.clear();
      // Edits that arrived while the scan was publishing get their own re-index.
      if ([...this.folders, this.loose].some((f) => f.pending.size)) this.schedule(0);
    });
  }

  private openCache(): ExtractionCache | undefined {
    let cache: ExtractionCache | undefined;
    try {
      cache = ExtractionCache.open(this.cacheDir, { deferLists: true });
      this.deferredLists = cache?.deferred;
    } catch (err) {
      this.connection.console.warn(`could not open the cache in ${this.cacheDir}: ${String(err)}`);
      return undefined;
    }
    if (cache?.discarded) this.connection.console.info(`cache ${cache.file} not used (${cache.discarded}): every file is read`);
    return cache;
  }

  /** Rewrites the cache when the scan read files it did not hold, it held files that are gone, or it lacked diagnostics. */
  private writeCache(cache: ExtractionCache, store: Map<string, CacheEntry>): void {
    // Every file and every folder's diagnostics came from the cache: nothing new to store.
    const fills = this.storeFills.splice(0);
    if (!this.cacheMisses && cache.size === 0 && !cache.discarded && this.reusedDiagnostics === this.folders.length) return;
    for (const fill of fills) fill();
    const published = new Map<string, FolderDiagnostics>();
    for (const folder of this.folders) {
      const d = this.folderDiagnostics(folder, store);
      if (d) published.set(folder.root, d);
    }
    const newDiagnostics = [...published].some(([root, d]) => cache.diagnosticsKey(root) !== d.key);
    if (!this.cacheMisses && cache.size === 0 && !cache.discarded && !newDiagnostics) return;
    // The cache is written from the extractions, rules and ports included.
    this.fillDeferred();
    // In slices, beside the job queue and giving way to it: edits and requests after `ready` are not
    // held up by it.
    this.cacheWrite = ExtractionCache.write(cache.file, store, published, () => this.backgroundPause()).then(
      () => this.connection.console.info(`cache: wrote ${store.size} files`),
      (err: unknown) => this.connection.console.warn(`could not write the cache ${cache.file}: ${String(err)}`),
    );
  }

  /**
   * Rules of cached routes and ports of cached Services not decoded yet (see DeferredLists): filled
   * after `ready` in the background, and at once before anything reads them (`findings`,
   * `applyPending`, which every request goes through, and writing the cache).
   */
  private deferredLists: DeferredLists | undefined;

  /**
   * Fills deferred lists, all of them or until `deadline`. Files whose stored lists turn out
   * unreadable (a damaged cache) are read again from disk.
   */
  private fillDeferred(deadline?: number): void {
    if (!this.deferredLists) return;
    const failed = this.deferredLists.size > 0 ? this.deferredLists.fill(deadline) : [];
    // Until the initial scan is done, more cached files may be taken (a request between two of its
    // batches fills the lists taken so far): the handle is kept for them.
    if (this.deferredLists.size === 0 && this.initialDone) this.deferredLists = undefined;
    if (failed.length === 0) return;
    this.connection.console.warn(`cache: the rules or ports of ${failed.length} file(s) could not be read; reading them again (${failed.join(', ')})`);
    for (const path of failed) {
      const folder = this.folderFor(path);
      if (folder !== this.loose && !folder.pending.has(path)) folder.pending.set(path, this.readChange(folder, path));
    }
    if (this.initialDone) this.schedule(0);
  }

  /** Fills deferred lists a slice at a time while nothing else is going on. */
  private async fillDeferredInBackground(): Promise<void> {
    while (this.deferredLists) {
      await this.backgroundPause();
      this.fillDeferred(Date.now() + BACKGROUND_SLICE_MS);
    }
  }

  private cacheMisses = 0;
  private cacheHits = 0;
  /** Fill the initial scan's cache entries of each folder (see `scanFolder`), run by `writeCache`. */
  private storeFills: Array<() => void> = [];
  private reusedDiagnostics = 0;
  /** Open buffers found equal to their file on disk during the initial scan. */
  private readonly sameAsDisk = new Set<string>();
  /** The diagnostics published during the initial scan, by file, while a cache is in use. */
  private collected: Map<string, PublishedList> | undefined;

  /**
   * The diagnostics of a folder as published, when its snapshot is exactly what the cache entries
   * describe (every file from disk, none changed since it was listed): what a later start may reuse.
   */
  private folderDiagnostics(folder: Folder, store: Map<string, CacheEntry>): FolderDiagnostics | undefined {
    if (!this.collected || !folder.settings.enable || folder.pending.size) return undefined;
    const paths: string[] = [];
    const diagnostics = new Map<string, PublishedList>();
    for (const f of folder.ws.files()) {
      if ((f.version !== undefined && !this.sameAsDisk.has(f.path)) || f.skipped || store.get(f.path)?.extracted.objects !== f.objects) return undefined;
      paths.push(f.path);
      const d = this.collected.get(f.path);
      // Empty lists are not stored (and a cache holds none: its lists are JSON, never `[]`).
      if (!d || (Array.isArray(d) && d.length === 0)) continue;
      // A buffer that held the disk text: its diagnostics as they are for the file on disk (no version).
      diagnostics.set(f.path, f.version === undefined ? d : diagnosticsOf(d).map((x) => ({ ...x, data: { ...(x.data as DiagnosticData), version: undefined } })));
    }
    return { key: folderKey(folder), paths, diagnostics };
  }

  /** Publishes a folder's stored diagnostics when its snapshot holds exactly the stored files. */
  private publishStored(folder: Folder, stored: FolderDiagnostics): void {
    if (folder.ws.fileCount !== stored.paths.length || stored.paths.some((p) => folder.ws.file(p)?.version !== undefined)) return;
    this.sendStored(folder, stored);
  }

  /** The folder whose stored diagnostics may be published during its scan (see `precheck`). */
  private early: { readonly folder: Folder; readonly stored: FolderDiagnostics; published: boolean } | undefined;
  /** The stat of each file listed by the scan, taken by `precheck` (null: it could not be read). */
  private readonly statted = new Map<string, fs.Stats | null>();

  /**
   * Stats every listed file of a folder with stored diagnostics (`early`) before the scan decodes
   * any extraction: when every file is cached unchanged and no other file is there, the stored
   * diagnostics are published at once, and the client reads them while the scan goes on.
   */
  private precheck(folder: Folder, files: readonly string[], cache: ExtractionCache): void {
    const early = this.early;
    if (early?.folder !== folder) return;
    let unchanged = files.length === early.stored.paths.length;
    for (const f of files) {
      let st: fs.Stats | null = null;
      try {
        st = fs.statSync(f);
      } catch {
        /* read as a miss */
      }
      this.statted.set(f, st);
      if (unchanged && !(st && st.isFile() && st.size <= folder.settings.maxFileSize && cache.has(f, st.size, st.mtimeMs))) unchanged = false;
    }
    if (!unchanged || !early.stored.paths.every((p) => this.statted.has(p))) return;
    this.sendStored(folder, early.stored);
    early.published = true;
  }

  private sendStored(folder: Folder, stored: FolderDiagnostics): void {
    for (const [path, diagnostics] of stored.diagnostics) {
      folder.published.add(path);
      this.collected?.set(path, diagnostics);
      const uri = pathToUri(path);
      // As `sendDiagnostics` would send them (the same JSON), without decoding and serialising again.
      if (this.encoded && !Array.isArray(diagnostics)) void this.encoded.writeEncoded([PUBLISH_HEAD, Buffer.from(JSON.stringify(uri), 'utf8'), PUBLISH_LIST, diagnostics, PUBLISH_TAIL]);
      else void this.connection.sendDiagnostics({ uri, diagnostics: diagnosticsOf(diagnostics) });
    }
    folder.fullAnalysis = false;
    this.reusedDiagnostics++;
  }

  /**
   * The change for `path` from the cache, when its size and mtime are those cached. `path` comes
   * from the scan's listing of `folder` (a YAML file inside it, not excluded), which checked that.
   */
  private cachedChange(folder: Folder, path: string, cache: ExtractionCache, stat: (size: number, mtimeMs: number) => void): FileChange | undefined {
    // Nothing (left) in the cache, as on a first start: no stat for nothing.
    if (cache.size === 0) return undefined;
    let st = this.statted.get(path);
    if (st === undefined) {
      try {
        st = fs.statSync(path);
      } catch {
        return undefined;
      }
    }
    if (!st || !st.isFile() || st.size > folder.settings.maxFileSize) return undefined;
    const extracted = cache.take(path, st.size, st.mtimeMs);
    if (!extracted) return undefined;
    stat(st.size, st.mtimeMs);
    // The text is read when positions or edits need it (files with findings, requests).
    const readText = (): string => {
      const r = readTextFile(path, Number.POSITIVE_INFINITY);
      return 'text' in r ? r.text : '';
    };
    return { path, text: '', extracted, readText };
  }

  /**
   * Builds a folder's snapshot from scratch: open documents first, then disk in batches. With a
   * cache, unchanged files come from it, and `store` receives what the next cache should hold.
   */
  private async scanFolder(folder: Folder, report: (message: string) => void, cache?: ExtractionCache, store?: Map<string, CacheEntry>, diskFirst = false): Promise<void> {
    const options = engineOptions(folder.settings);
    folder.pending.clear();
    for (const p of folder.ws.files()) folder.dirtyOld.push(...p.objects);
    folder.ws = Workspace.empty(options);
    folder.fullAnalysis = true;
    if (!folder.settings.enable) return;
    const open: FileChange[] = [];
    for (const d of this.documents.all()) {
      const p = uriToPath(d.uri);
      if (p && this.folderFor(p) === folder) open.push({ path: p, text: d.getText(), version: d.version });
    }
    // diskFirst: the folder is read as on disk, and its open buffers are then applied as edits.
    if (!diskFirst) folder.ws = folder.ws.withFiles(open);
    const stats = new Map<string, { size: number; mtimeMs: number }>();
    if (store && !diskFirst) {
      // Open buffers that hold what is on disk (restored editors) go into the cache as well.
      for (const c of open) {
        const r = readTextFile(c.path, folder.settings.maxFileSize);
        if ('text' in r && r.text === c.text) {
          stats.set(c.path, { size: r.size, mtimeMs: r.mtimeMs });
          this.sameAsDisk.add(c.path);
        }
      }
    }
    await yieldNow();
    const others = this.folders.filter((f) => f !== folder && f.root.length > folder.root.length && this.contains(folder.root, f.root));
    let files: string[];
    try {
      files = listYamlFiles(folder.root, {
        exclude: (rel) => folder.excluded(rel) || others.some((o) => this.contains(o.root, `${folder.root === '/' ? '' : folder.root}/${rel}`)),
      });
    } catch (err) {
      this.connection.console.error(`could not list ${folder.root}: ${String(err)}`);
      return;
    }
    report(`${files.length} YAML files in ${folder.root}`);
    if (cache) this.precheck(folder, files, cache);
    for (let i = 0; i < files.length; i += BATCH_FILES) {
      const batch: FileChange[] = [];
      const mayBeOpen = openNameTest(this.documents);
      for (const f of files.slice(i, i + BATCH_FILES)) {
        if (!diskFirst && mayBeOpen(f) && this.openDocument(f)) continue; // the buffer wins over disk
        const stat = store ? (size: number, mtimeMs: number): void => void stats.set(f, { size, mtimeMs }) : undefined;
        const hit = cache && stat ? this.cachedChange(folder, f, cache, stat) : undefined;
        if (cache && !hit) this.cacheMisses++;
        else if (hit) this.cacheHits++;
        batch.push(hit ?? extractNow(this.readChange(folder, f, true, stat)));
      }
      folder.ws = folder.ws.withFilesInPlace(batch);
      report(`${Math.min(i + BATCH_FILES, files.length)}/${files.length} files in ${folder.root}`);
      await yieldNow();
    }
    // Read in many batches: one flat index for the lookups of the analysis and of requests.
    folder.ws = folder.ws.compacted();
    if (diskFirst) for (const c of open) folder.pending.set(c.path, c);
    if (!store) return;
    // The entries are made when the cache is written (after `ready`), from the snapshot as scanned;
    // a warm start that reused every file writes nothing and makes none.
    const scanned = folder.ws;
    this.storeFills.push(() => {
      for (const [p, st] of stats) {
        const file = scanned.file(p);
        if (!file || file.skipped || (file.version !== undefined && !this.sameAsDisk.has(p))) continue;
        store.set(p, { ...st, extracted: { path: p, objects: file.objects, problems: file.problems, suppressions: file.suppressions } });
      }
    });
  }

  /**
   * The change that brings `path` in line with disk (removal when it is gone or excluded). `listed`:
   * the path comes from the scan's listing of this folder (a YAML file inside it, not excluded, in
   * an enabled folder), which checked all that already.
   */
  private readChange(folder: Folder, path: string, listed = false, stat?: (size: number, mtimeMs: number) => void): FileChange {
    if (!listed) {
      if (!isYamlPath(path) || this.isExcluded(folder, path) || !folder.settings.enable) return { path, text: null };
      // A file event or a closed buffer can name a link out of the folder: never read through it.
      if (!resolvesInside(folder.root, path)) return { path, text: null };
    }
    const r = readTextFile(path, folder.settings.maxFileSize);
    if ('skipped' in r) {
      if (r.skipped.reason === 'too-large') this.connection.console.info(`skipped ${path}: ${r.skipped.message} (gammaLens.maxFileSize)`);
      if (r.skipped.reason === 'unreadable' && !fs.existsSync(path)) return { path, text: null };
      return { path, text: null, skipped: r.skipped };
    }
    stat?.(r.size, r.mtimeMs);
    return { path, text: r.text };
  }

  // ---- Change events --------------------------------------------------------------------------

  /** An open buffer changed (or was opened). */
  documentChanged(doc: TextDocument): void {
    const path = uriToPath(doc.uri);
    if (!path) return;
    rememberUri(path, doc.uri);
    const folder = this.folderFor(path);
    // A folder with gammaLens.enable off indexes nothing; turning it on re-scans and picks the buffer up.
    if (!folder.settings.enable) return;
    const text = doc.getText();
    const current = folder.pending.get(path) ?? folder.ws.file(path);
    if (current && 'text' in current && current.text === text && !('skipped' in current && current.skipped)) return;
    folder.pending.set(path, { path, text, version: doc.version });
    // Leading-edge debounce: an edit or an opened buffer after a quiet spell is analysed at once; a
    // burst (keystrokes, editors restored together) is gathered into one re-analysis
    // CHANGE_DEBOUNCE_MS after the last of them.
    const at = Date.now();
    const quiet = at - this.lastChangeAt >= CHANGE_DEBOUNCE_MS;
    this.lastChangeAt = at;
    if (this.initialDone) this.schedule(quiet ? 0 : CHANGE_DEBOUNCE_MS);
  }

  /** A buffer was closed: its file reverts to disk content. */
  documentClosed(uri: string): void {
    const path = uriToPath(uri);
    if (!path) return;
    const folder = this.folderFor(path);
    const change = folder === this.loose ? { path, text: null } : this.readChange(folder, path);
    const current = folder.ws.file(path);
    if (current && change.text === current.text) return;
    if (!current && change.text === null) return;
    folder.pending.set(path, change);
    if (this.initialDone) this.schedule(0);
  }

  /** Files created, changed or deleted on disk. */
  filesChanged(changes: ReadonlyArray<{ uri: string; type: 1 | 2 | 3 }>): void {
    let any = false;
    for (const c of changes) {
      const path = uriToPath(c.uri);
      if (!path) continue;
      if (this.documents.get(c.uri) || this.openDocument(path)) continue; // the buffer wins
      const folder = this.folderFor(path);
      if (folder === this.loose) continue;
      if (c.type === 3) {
        // Events can arrive late or out of order: a path that is back on disk is read again, not dropped.
        if (fs.existsSync(path)) {
          if (isYamlPath(path)) {
            folder.pending.set(path, this.readChange(folder, path));
            any = true;
          }
          continue;
        }
        // A deleted folder takes its files with it.
        for (const f of folder.ws.files()) if (f.path === path || f.path.startsWith(`${path}/`)) folder.pending.set(f.path, { path: f.path, text: null });
        any = true;
        continue;
      }
      if (!isYamlPath(path)) continue;
      folder.pending.set(path, this.readChange(folder, path));
      any = true;
    }
    if (any && this.initialDone) this.schedule(0);
  }

  /** Settings changed: re-read them, re-scan folders whose file set may change, re-analyse all. */
  configurationChanged(pushed: unknown): Promise<void> {
    this.pushedSettings = pushed;
    return this.enqueue(async () => {
      if (!this.initialDone) return;
      this.sendStatus('indexing');
      for (const folder of [...this.folders, this.loose]) {
        const before = { settings: folder.settings, filesExclude: folder.filesExclude };
        const next = await this.fetchSettings(folder);
        this.applySettings(folder, next);
        const rescan =
          folder !== this.loose &&
          (before.settings.enable !== next.settings.enable ||
            before.settings.maxFileSize !== next.settings.maxFileSize ||
            JSON.stringify(before.settings.exclude) !== JSON.stringify(next.settings.exclude) ||
            JSON.stringify(before.filesExclude) !== JSON.stringify(next.filesExclude));
        if (rescan) {
          await this.scanFolder(folder, () => undefined);
        } else {
          this.applyPending(folder);
          const options = engineOptions(next.settings);
          if (!sameOptions(options, folder.ws.options)) folder.ws = folder.ws.withOptions(options);
        }
        folder.fullAnalysis = true;
      }
      await this.publishAll();
      this.sendStatus('ready');
      this.refreshLenses();
    });
  }

  /** Workspace folders added or removed: index the new ones, re-scan the folders around them. */
  foldersChanged(added: readonly string[], removed: readonly string[]): Promise<void> {
    return this.enqueue(async () => {
      this.sendStatus('indexing');
      const touched: string[] = [];
      for (const uri of removed) {
        const root = uriToPath(uri)?.replace(/(.)\/+$/, '$1');
        const i = this.folders.findIndex((f) => f.root === root);
        if (i < 0) continue;
        const [gone] = this.folders.splice(i, 1);
        for (const p of gone!.published) void this.connection.sendDiagnostics({ uri: pathToUri(p), diagnostics: [] });
        touched.push(gone!.root);
      }
      for (const uri of added) {
        this.addFolder(uri);
        const root = uriToPath(uri);
        if (root) touched.push(root.replace(/(.)\/+$/, '$1'));
      }
      for (const folder of this.folders) {
        // New folders, and folders that gain or lose files because a nested folder came or went.
        if (!touched.some((t) => t === folder.root || this.contains(folder.root, t))) continue;
        this.applySettings(folder, await this.fetchSettings(folder));
        await this.scanFolder(folder, () => undefined);
      }
      // Open documents outside every folder live in the loose bucket, and only those.
      for (const f of this.loose.ws.files()) if (this.folderFor(f.path) !== this.loose) this.loose.pending.set(f.path, { path: f.path, text: null });
      for (const d of this.documents.all()) {
        const p = uriToPath(d.uri);
        if (p && this.folderFor(p) === this.loose && !this.loose.ws.file(p)) this.loose.pending.set(p, { path: p, text: d.getText(), version: d.version });
      }
      await this.publishAll();
      this.sendStatus('ready');
      this.refreshLenses();
    });
  }

  refreshLenses(): void {
    if (this.caps.codeLensRefresh) void this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  // ---- Diagnostics ----------------------------------------------------------------------------

  /** Applies pending changes, re-analyses what they can affect, publishes, reports ready. */
  private async flush(): Promise<void> {
    const folders = [...this.folders, this.loose];
    if (!folders.some((f) => f.pending.size || f.dirty.size || f.fullAnalysis)) {
      this.sendStatus('ready');
      return;
    }
    this.sendStatus('indexing');
    await this.publishAll();
    this.sendStatus('ready');
    this.refreshLenses();
  }

  private async publishAll(): Promise<void> {
    for (const folder of [...this.folders, this.loose]) {
      // The analysis fills deferred lists if it runs (`findings`): a warm start that reuses a
      // folder's diagnostics reports `ready` before they are filled.
      this.applyChanges(folder);
      const ws = folder.ws;
      const full = folder.fullAnalysis;
      const paths = full ? null : this.affectedFiles(folder, ws);
      folder.fullAnalysis = false;
      folder.dirty.clear();
      folder.dirtyOld = [];
      folder.dirtyOldGlobals = [];
      await this.publishFolder(folder, ws, paths);
    }
  }

  /** The files whose findings a change can alter: the changed files and the files of every Service and route they touch. */
  private affectedFiles(folder: Folder, ws: Workspace): Set<string> | null {
    const keys = new Set<string>();
    const out = new Set<string>(folder.dirty);
    // Objects of global kinds can change findings anywhere, but only when they change: an edit
    // elsewhere in their file leaves them as they were (same fields, same line/character positions,
    // so every diagnostic published elsewhere stays right), so compare them.
    const globalsAfter: string[] = [];
    for (const p of folder.dirty) {
      const f = ws.file(p);
      if (f) globalsAfter.push(...globalFingerprints(f));
    }
    if ([...folder.dirtyOldGlobals].sort().join('\n') !== globalsAfter.sort().join('\n')) return null;
    const consider = (o: K8sObject): void => {
      if (GLOBAL_KINDS.has(o.kind)) return;
      if (isService(o)) keys.add(serviceKey(o.namespace, o.name));
      else if (isRoute(o)) {
        for (const p of o.parentRefs) if (p.kind?.value === 'Service' && p.name) keys.add(serviceKey(p.namespace?.value ?? o.namespace, p.name.value));
        for (const b of o.backendRefs) if ((b.kind?.value ?? 'Service') === 'Service' && b.name) keys.add(serviceKey(b.namespace?.value ?? o.namespace, b.name.value));
      }
    };
    for (const o of folder.dirtyOld) consider(o);
    for (const p of folder.dirty) for (const o of ws.file(p)?.objects ?? []) consider(o);
    for (const key of keys) {
      const i = key.indexOf('/');
      const ns = key.slice(0, i);
      const name = key.slice(i + 1);
      for (const s of ws.lookup('Service', ns, name)) out.add(s.file);
      for (const r of ws.referencesTo(ns, name)) out.add(r.route.file);
    }
    return out;
  }

  /** Findings of one file in one snapshot, computed once (diagnostics and quick fixes share them). */
  findings(folder: Folder, ws: Workspace, path: string): Finding[] {
    this.fillDeferred();
    const analysis = analysisOf(folder.settings);
    const key = findingsKey(folder, path);
    let perWs = this.findingsCache.get(ws);
    if (!perWs) this.findingsCache.set(ws, (perWs = new Map()));
    const cached = perWs.get(key);
    if (cached) return cached;
    let findings: Finding[] = [];
    try {
      findings = folder.settings.enable && ws.file(path) ? analyzeFile(ws, path, analysis.settings) : [];
    } catch (err) {
      this.connection.console.error(`analysis of ${path} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
    perWs.set(key, findings);
    return findings;
  }

  private readonly findingsCache = new WeakMap<Workspace, Map<string, Finding[]>>();

  private async publishFolder(folder: Folder, ws: Workspace, paths: Set<string> | null): Promise<void> {
    const list = paths ? [...paths] : [...ws.files()].map((f) => f.path);
    // Yield every ANALYZE_BATCH files, and at least every few milliseconds, so that requests (the
    // hover that follows an edit) are not kept waiting behind a re-analysis.
    let slice = Date.now();
    for (let i = 0; i < list.length; i++) {
      const path = list[i]!;
      this.publish(folder, ws, path, this.findings(folder, ws, path));
      // A closed file's findings are computed again if its quick fixes are ever asked for.
      if (ws.file(path)?.version === undefined) this.findingsCache.get(ws)?.delete(findingsKey(folder, path));
      if (i + 1 < list.length && ((i + 1) % ANALYZE_BATCH === 0 || Date.now() - slice > 4)) {
        await yieldNow();
        slice = Date.now();
      }
    }
    if (!paths) {
      // Files gone from the snapshot keep no stale diagnostics.
      for (const p of [...folder.published]) if (!ws.file(p)) this.publish(folder, ws, p, []);
    }
  }

  private publish(folder: Folder, ws: Workspace, path: string, findings: Finding[]): void {
    if (findings.length === 0 && !folder.published.has(path)) return;
    const file = ws.file(path);
    const diagnostics: Diagnostic[] = file ? findings.map((f) => toDiagnostic(ws, f)) : [];
    this.collected?.set(path, diagnostics);
    if (diagnostics.length) folder.published.add(path);
    else folder.published.delete(path);
    void this.connection.sendDiagnostics({ uri: pathToUri(path), version: file?.version, diagnostics });
    // Texts read from disk to place these diagnostics are read again if something needs them.
    releaseIfClosed(ws, path);
    for (const f of findings) for (const r of f.related) releaseIfClosed(ws, r.file);
  }
}

/**
 * A test that holds for every path an open document can have (one whose last segment is that of an
 * open document's path), so that a scan builds the URI `openDocument` looks up for few files.
 */
function openNameTest(documents: TextDocuments<TextDocument>): (path: string) => boolean {
  const names = new Set<string>();
  for (const uri of documents.keys()) {
    const p = uriToPath(uri);
    if (p !== undefined) names.add(p.slice(p.lastIndexOf('/') + 1));
  }
  return (path) => names.size > 0 && names.has(path.slice(path.lastIndexOf('/') + 1));
}

/** Lets a file that no editor has open drop the text it read on demand. */
function releaseIfClosed(ws: Workspace, path: string): void {
  const file = ws.file(path);
  if (file && file.version === undefined) releaseText(file);
}

/**
 * A file read from disk during a scan is extracted at once and keeps no copy of its text: the text
 * is read again when positions or edits need it (files with findings, requests). Most files of a
 * workspace are never looked at again; holding every text doubled the memory of a large workspace,
 * and texts held until their whole batch was extracted were copied around by the garbage collector.
 */
function extractNow(change: FileChange): FileChange {
  if (typeof change.text !== 'string' || change.readText || change.extracted) return change;
  const path = change.path;
  const extracted = extractFile(path, change.text);
  return {
    path,
    text: '',
    version: change.version,
    extracted,
    // Files that can have findings keep where their lines start: publishing them reads nothing again.
    lineStarts: extracted.objects.length || extracted.problems.length ? lineStarts(change.text) : undefined,
    readText: () => {
      const r = readTextFile(path, Number.POSITIVE_INFINITY);
      return 'text' in r ? r.text : '';
    },
  };
}

/** What a folder's diagnostics depend on besides its files: its settings. */
function folderKey(folder: Folder): string {
  return JSON.stringify([folder.root, folder.settings, folder.filesExclude]);
}

/** The global-kind objects of a file as JSON, with spans as line:character positions. */
function globalFingerprints(file: IndexedFile): string[] {
  const out: string[] = [];
  for (const o of file.objects) {
    if (!GLOBAL_KINDS.has(o.kind)) continue;
    const lines = file.lines();
    const at = (offset: number): string => {
      const p = lines.positionAt(offset);
      return `${p.line}:${p.character}`;
    };
    out.push(
      JSON.stringify(o, (_k, v: unknown) => {
        const span = v as { start?: unknown; end?: unknown } | null;
        if (span && typeof span === 'object' && typeof span.start === 'number' && typeof span.end === 'number' && Object.keys(span).length === 2) {
          return `${at(span.start)}-${at(span.end)}`;
        }
        return v;
      }),
    );
  }
  return out;
}

export function toDiagnostic(ws: Workspace, f: Finding): Diagnostic {
  const file = ws.file(f.file)!;
  const related: DiagnosticRelatedInformation[] = [];
  for (const r of f.related) {
    const location = toLocation(ws, r.file, r.span);
    if (location) related.push({ location, message: r.message });
  }
  const data: DiagnosticData = { code: f.code, start: f.span.start, end: f.span.end, version: file.version, payload: f.data };
  return {
    range: toRange(file, f.span),
    severity: SEVERITY[f.severity],
    source: DIAGNOSTIC_SOURCE,
    code: f.code,
    codeDescription: { href: docsUrl(f.code) },
    message: f.message,
    relatedInformation: related.length ? related : undefined,
    data,
  };
}
