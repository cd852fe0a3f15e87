/** Entry point of the bundled CLI (`bin/gamma-lens.js` loads it). */
import { run } from './main';

const o = { out: [] as string[], err: [] as string[] };
const code = run(process.argv.slice(2), o);
if (o.out.length) process.stdout.write(`${o.out.join('\n')}\n`);
if (o.err.length) process.stderr.write(`${o.err.join('\n')}\n`);
process.exitCode = code;
