/**
 * The language server's entry, `server/out/server.js`: loads the server itself
 * (`server/out/server-main.js`) and starts it.
 *
 * With `--code-cache=<folder>` (the VS Code client passes a folder of the extension's global storage,
 * see `launch.ts`), V8 takes the server's compiled code from a cache it wrote there on an earlier
 * start instead of parsing and compiling the 1 MB bundle again: a start of the server is ~20-35 ms
 * shorter on 2 cores. The cache is written once, after the first `ready` (so it also holds the
 * functions indexing compiled), atomically (a temporary file renamed), and only when there was none
 * or V8 refused the one found. V8 refuses a cache made by another V8 version, with other flags, or for
 * another source, and a damaged one; the server then compiles as without a cache. A cache is named
 * by a hash of the V8 version, the node options and the bundle's content (V8 compares sources by
 * length only), so a new version of the extension or of the editor starts a new one; writing one
 * removes the others (and temporary files left by a process that ended mid-write). Without the option, or when anything about the cache fails, the server loads
 * as a plain module.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createRequire } from 'node:module';
import { codeCacheFolder } from './launch';
import type { ServerHooks } from './main';

const MAIN = path.join(__dirname, 'server-main.js');
const PREFIX = 'server-main-';
const SUFFIX = '.v8cache';

type Main = { main(hooks?: ServerHooks): void };

/** Runs the bundle's module body as Node would, compiled by `script`. */
function run(script: vm.Script): Main {
  const module = { exports: {} as Main, id: MAIN, filename: MAIN, loaded: false };
  const body = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: unknown, filename: string, dirname: string) => void;
  body.call(module.exports, module.exports, createRequire(MAIN), module, MAIN, path.dirname(MAIN));
  module.loaded = true;
  return module.exports;
}

function loadWithCache(folder: string): { server: Main; hooks: ServerHooks } | undefined {
  let source: string;
  let file: string;
  try {
    const bytes = fs.readFileSync(MAIN);
    source = bytes.toString('utf8');
    // By content: V8 checks a cache's source by its length only.
    const name = createHash('sha1').update(`${process.versions.v8}\n${process.arch}\n${process.execArgv.join(' ')}\n`).update(bytes).digest('hex').slice(0, 16);
    file = path.join(folder, `${PREFIX}${name}${SUFFIX}`);
  } catch {
    return undefined;
  }
  let cached: Buffer | undefined;
  try {
    cached = fs.readFileSync(file);
  } catch {
    cached = undefined;
  }
  let script: vm.Script;
  try {
    // Node's module wrapper, on the first line so that line numbers stay those of the bundle.
    script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: MAIN, cachedData: cached });
  } catch {
    return undefined;
  }
  const used = cached !== undefined && !script.cachedDataRejected;
  const state = cached === undefined ? 'none found' : used ? 'used' : 'refused by V8';
  const server = run(script);
  const hooks: ServerHooks = {
    onFirstReady: () => {
      if (used) return `code cache: used ${file}`;
      try {
        const data = script.createCachedData();
        fs.mkdirSync(folder, { recursive: true });
        const temp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temp, data);
        fs.renameSync(temp, file);
        // Caches of other builds, and temporary files a process left when it ended mid-write.
        for (const name of fs.readdirSync(folder)) {
          const other = path.join(folder, name);
          if (other !== file && name.startsWith(PREFIX) && (name.endsWith(SUFFIX) || name.endsWith('.tmp'))) fs.rmSync(other, { force: true });
        }
        return `code cache: ${state}; wrote ${file} (${Math.round(data.length / 1024)} KB)`;
      } catch (err) {
        return `code cache: ${state}; could not write ${file}: ${err instanceof Error ? err.message : String(err)}`;
      }
    },
  };
  return { server, hooks };
}

function start(): void {
  const folder = codeCacheFolder(process.argv.slice(2));
  const loaded = folder ? loadWithCache(folder) : undefined;
  if (loaded) return loaded.server.main(loaded.hooks);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(MAIN) as Main).main();
}

start();
