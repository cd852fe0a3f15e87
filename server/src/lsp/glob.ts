/**
 * A small glob matcher for `files.exclude` and `gammaLens.exclude` patterns: `**`, `*`, `?`,
 * `{a,b}` and `[...]`, matched against POSIX paths relative to the workspace folder. A pattern
 * without a slash matches a name at any depth (`node_modules` is `**\/node_modules`).
 */

function toRegExpSource(glob: string): string {
  let re = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches everything below.
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      inGroup++;
      re += '(?:';
    } else if (c === '}' && inGroup) {
      inGroup--;
      re += ')';
    } else if (c === ',' && inGroup) {
      re += '|';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else {
      re += c.replace(/[.+^$()|\\/]/g, (x) => `\\${x}`);
    }
  }
  return re;
}

/** Compiles patterns into one test on relative paths; a folder match excludes everything below it. */
export function globMatcher(patterns: readonly string[]): (relative: string) => boolean {
  const res = patterns
    .map((p) => p.trim().replace(/^\.\//, '').replace(/\/+$/, ''))
    .filter((p) => p.length > 0)
    .map((p) => new RegExp(`^${toRegExpSource(p.includes('/') ? p : `**/${p}`)}(?:/.*)?$`));
  if (res.length === 0) return () => false;
  return (relative) => res.some((r) => r.test(relative));
}
