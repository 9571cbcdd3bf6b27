import t from 'tap';
import { loadConfig } from '../app/config.js';
import { PROVIDERS } from '../app/providers.js';
import { PROVIDER_KITS } from './fixtures/providers.js';

const NOW = new Date();
const PUBLIC_URL = 'https://app.berinia.test';

// What every provider module declares, checked over all of them: a new provider gets these cases.
for (const provider of PROVIDERS) {
  t.test(`${provider.name} module`, async (t) => {
    const kit = PROVIDER_KITS.find((one) => one.name === provider.name);
    t.ok(kit, 'it has a test kit');
    t.ok(Object.keys(provider.variables).length > 0, 'it documents its variables');

    const development = loadConfig({ PROVIDERS: provider.name, PUBLIC_URL }).providers[0];
    t.equal(development?.name, provider.name);
    t.equal(development?.route.path, kit?.route.path, 'its route is the one its kit calls');
    t.equal(development?.warnings.length, 1, 'a development secret is announced');

    const configured = loadConfig({ PROVIDERS: provider.name, PUBLIC_URL, ...kit?.env }).providers[0];
    t.same(configured?.warnings, [], 'nothing to announce once its secret is set');
    const { verifier, listener } = configured!.create({ clock: () => NOW });

    t.test('simulate: the request it would send is one it accepts and reads (npm run sms)', async (t) => {
      const simulated = configured!.simulate({ from: '+33612345678', body: 'Oui, rappelez-moi' }, PUBLIC_URL);
      t.equal(simulated.path, configured!.route.path);
      // Header names as node:http gives them: lower case.
      const headers = Object.entries(simulated.headers).map(([name, value]) => [name.toLowerCase(), value]);
      const request = {
        url: PUBLIC_URL + simulated.path,
        method: simulated.method,
        headers: Object.fromEntries(headers),
        fields: simulated.fields,
      };
      t.equal(verifier.verify(request), true, 'signed with its secret');
      const heard = listener.listen(request.fields, NOW);
      t.match(heard, { kind: 'message', message: { sender: '+33612345678', content: 'Oui, rappelez-moi' } });
      const id = kit!.fields()[kit!.idField] as string;
      const again = configured!.simulate({ from: '+33612345678', to: '+33757000009', body: 'x', id }, PUBLIC_URL);
      t.match(listener.listen(again.fields, NOW), { message: { message_id: id, recipient: '+33757000009' } });
    });
  });
}
