/** Findings and the analyzer interface: one analyzer per diagnostic code (CONTRACT §6). */
import type { IndexedFile, Workspace } from '../index/snapshot';
import type { Profile } from '../bindings/profiles';
import type { Span } from '../text';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeverityOverride = Severity | 'off';

/** A location in another place that helps explain a finding. */
export interface RelatedLocation {
  readonly file: string;
  readonly span: Span;
  readonly message: string;
}

/** A text edit in one file, in offsets. */
export interface TextEdit {
  readonly file: string;
  readonly span: Span;
  readonly newText: string;
}

/** A fix a user can apply: a title and the edits. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The fix that should be offered first. */
  readonly preferred?: boolean;
}

export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly file: string;
  readonly span: Span;
  readonly message: string;
  readonly related: readonly RelatedLocation[];
  /** Typed facts a quick fix can use without reading the message. */
  readonly data?: Readonly<Record<string, unknown>>;
  readonly fixes: readonly Fix[];
}

export interface AnalysisSettings {
  /** Per-code severity overrides; `off` silences a code. */
  readonly severity?: Readonly<Record<string, SeverityOverride>>;
  /** Called when an analyzer throws (its findings for that file are dropped; the others still run). */
  readonly onError?: (code: string, file: string, error: unknown) => void;
}

export interface AnalysisContext {
  readonly ws: Workspace;
  readonly file: IndexedFile;
  readonly profile: Profile;
}

export interface Analyzer {
  readonly code: string;
  readonly defaultSeverity: Severity;
  /** One line: when the code fires. */
  readonly summary: string;
  /**
   * The objects of the file it reports on, when only routes or only Services: the runner does not
   * call it for a file without any (a third of the files of a large workspace hold no route).
   */
  readonly reads?: 'routes' | 'services';
  /** Findings for objects defined in `ctx.file`. */
  analyze(ctx: AnalysisContext): Finding[];
}

/** Where each code's documentation lives; `codeDescription.href` and SARIF `helpUri` use it. */
export const DOCS_URL = 'https://github.com/gamma-lens/gamma-lens/blob/main/docs/diagnostics.md';

export function docsUrl(code: string): string {
  return `${DOCS_URL}#${code}`;
}
