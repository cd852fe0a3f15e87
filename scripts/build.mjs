// Bundles the extension client, the language server and the CLI with esbuild.
// Type checking is separate (`npm run typecheck`); esbuild only strips types.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { GAMMA_LENS_VERSION: JSON.stringify(pkg.version) },
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js', external: ['vscode'] },
  // server.js is a small loader (boot.ts) that compiles server-main.js with V8's code cache.
  { ...common, entryPoints: ['server/src/boot.ts'], outfile: 'server/out/server.js' },
  { ...common, entryPoints: ['server/src/main.ts'], outfile: 'server/out/server-main.js' },
  { ...common, entryPoints: ['server/src/cli/bin.ts'], outfile: 'server/out/cli.js' },
];

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
