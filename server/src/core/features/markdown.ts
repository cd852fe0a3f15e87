/** Markdown helpers: every value taken from a file is escaped before it reaches a hover. */

/** Longest value from a file shown in a hover (Kubernetes names are at most 253 characters). */
const MAX_VALUE = 256;

/** A value cut to `max` characters, so a hostile file cannot make a hover megabytes long. */
export function clip(text: string, max = MAX_VALUE): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Escapes Markdown syntax and HTML in text that came from a file. */
export function escapeMarkdown(text: string): string {
  return clip(text, 4 * MAX_VALUE).replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/**
 * A value from a file shown as inline code. The fence is one backtick longer than the longest run
 * of backticks inside, so no value can close the code span early and inject Markdown after it.
 */
export function code(text: string): string {
  const clean = clip(text).replace(/[\r\n]+/g, ' ');
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
