// Runs an operator tool of app/cli with its arguments: `npm run tasks -- --json` is
// `node scripts/tool.mjs tasks --json`. In a development checkout (tsx, a dev dependency, is
// installed) it runs the TypeScript sources, always current; where dev dependencies are pruned
// (deploy/install.sh, /opt/berinia-webhook) it runs the compiled build, dist/ (npm run build).
// The tool runs in this process: same standard streams, signals and exit status.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TOOLS = [
  'migrate',
  'sms',
  'leads',
  'tasks',
  'purge',
  'review',
  'consent',
  'can-contact',
  'suppressions',
  'report',
  'interpret',
  'interpret-eval',
  'train',
];
const name = process.argv[2] ?? '';
if (!TOOLS.includes(name)) {
  process.stderr.write(`usage: node scripts/tool.mjs TOOL [ARGUMENTS...]\n  TOOL: ${TOOLS.join(', ')}\n`);
  process.exit(64);
}

/** Whether tsx can be loaded from here: only a development install has it. */
function hasTsx() {
  try {
    import.meta.resolve('tsx');
    return true;
  } catch {
    return false;
  }
}

const root = new URL('../', import.meta.url);
let entry = new URL(`dist/app/cli/${name}.js`, root);
if (hasTsx()) {
  await import('tsx'); // registers the TypeScript loader, as `node --import tsx` does
  entry = new URL(`app/cli/${name}.ts`, root);
} else if (!existsSync(entry)) {
  process.stderr.write(`${name}: ${fileURLToPath(entry)} is missing: run npm run build first\n`);
  process.exit(1);
}
// The tool reads its arguments from process.argv as if it had been started directly.
process.argv.splice(1, 2, fileURLToPath(entry));
await import(entry.href);
