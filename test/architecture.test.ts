import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** What `core/` may never import: other layers, node I/O, vendors. */
const FORBIDDEN = [
  /^(\.\.\/)+(adapters|app|test)\//,
  /^(node:)?(http|https|net|fs|fs\/promises|child_process|dgram|dns|tls|worker_threads|cluster|os|process)$/,
  /^(pino|kysely|pg|tsyringe|reflect-metadata|twilio|@electric-sql\/pglite|kysely-pglite-dialect|prom-client|chrono-node|libphonenumber-js)(\/|$)/,
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g,
  )) {
    found.push((match[1] ?? match[2]) as string);
  }
  return found;
}

t.test('the import scanner sees every form of import', async (t) => {
  const sample = `import a from 'pg';\nimport type { B } from "../adapters/x.js";\nexport * from './y.js';\nimport 'reflect-metadata';\nconst c = await import('node:fs');`;
  t.same(importsOf(sample), ['pg', '../adapters/x.js', './y.js', 'reflect-metadata', 'node:fs']);
  t.ok(
    FORBIDDEN.some((rule) => rule.test('../../adapters/http/http-server.js')),
    'an adapter import is caught',
  );
  t.ok(
    FORBIDDEN.some((rule) => rule.test('node:fs')),
    'node I/O is caught',
  );
  t.ok(
    FORBIDDEN.some((rule) => rule.test('twilio/lib/webhooks/webhooks.js')),
    'a vendor deep import is caught',
  );
});

t.test('core/ imports no infrastructure', async (t) => {
  const coreFiles = files(join(root, 'core'));
  t.ok(coreFiles.length >= 5, 'core has its files');
  for (const file of coreFiles) {
    const bad = importsOf(readFileSync(file, 'utf8')).filter((spec) => FORBIDDEN.some((rule) => rule.test(spec)));
    t.same(bad, [], `${relative(root, file)} imports only core`);
  }
});

t.test('one port per file in core/ports', async (t) => {
  const ports = readdirSync(join(root, 'core/ports')).sort();
  t.same(ports, [
    'clock.ts',
    'delivery-listener.ts',
    'multipart-format.ts',
    'part-store.ts',
    'reply-outbox.ts',
    'reply-sender.ts',
    'repository.ts',
    'response-interpreter.ts',
    'response-listener.ts',
    'service-observer.ts',
    'signature-verifier.ts',
    'sms-provider.ts',
  ]);
});

/** The adapter folder a module specifier of a file in `adapters/<own>/` reaches, when another. */
function otherAdapter(own: string, file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = relative(join(root, 'adapters'), join(file, '..', spec));
  const folder = target.split('/')[0] as string;
  return target.startsWith('..') || folder === own ? null : folder;
}

t.test('no adapter imports another adapter', async (t) => {
  const folders = readdirSync(join(root, 'adapters'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
  t.ok(folders.length >= 8, 'every adapter folder is checked');
  for (const folder of folders) {
    for (const file of files(join(root, 'adapters', folder.name))) {
      const reached = importsOf(readFileSync(file, 'utf8'))
        .map((spec) => otherAdapter(folder.name, file, spec))
        .filter((other) => other !== null);
      t.same(reached, [], `${relative(root, file)} imports no other adapter`);
    }
  }
  t.equal(otherAdapter('vonage', join(root, 'adapters/vonage/x.ts'), '../outbox/outbox.js'), 'outbox', 'caught');
  t.equal(otherAdapter('vonage', join(root, 'adapters/vonage/x.ts'), './vonage-multipart.js'), null, 'own folder');
  t.equal(otherAdapter('vonage', join(root, 'adapters/vonage/x.ts'), '../../core/parts.js'), null, 'core');
});

t.test('app/ names each provider once, in app/providers.ts', async (t) => {
  const providers = readdirSync(join(root, 'adapters'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && readdirSync(join(root, 'adapters', entry.name)).includes('kit.ts'))
    .map((entry) => entry.name);
  t.ok(providers.includes('twilio') && providers.includes('vonage'), 'a provider is a folder with its module and kit');
  for (const provider of providers) {
    const naming = files(join(root, 'app')).filter((file) =>
      importsOf(readFileSync(file, 'utf8')).some((spec) => spec.includes(`adapters/${provider}/`)),
    );
    t.same(
      naming.map((file) => relative(root, file)),
      ['app/providers.ts'],
      `${provider} is registered once`,
    );
    t.notMatch(
      readFileSync(join(root, 'app/config.ts'), 'utf8'),
      new RegExp(provider, 'i'),
      `config names no ${provider}`,
    );
  }
});
