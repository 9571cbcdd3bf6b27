import t from 'tap';
import { PROVIDER_KITS } from './fixtures/providers.js';

// One suite, every provider: what any SignatureVerifier must do, whatever the provider's scheme.
for (const kit of PROVIDER_KITS) {
  t.test(`${kit.name} SignatureVerifier contract`, async (t) => {
    const secret = 'contract-secret-1';
    const verifier = kit.verifier([secret]);
    const fields = kit.fields({ text: 'Oui, très intéressé 👍🏽 & prêt = demain' });

    t.test('a request signed by the provider is accepted', async (t) => {
      t.equal(verifier.verify(kit.signed(fields, secret)), true);
    });

    t.test('a changed text is rejected', async (t) => {
      const request = kit.signed(fields, secret);
      t.equal(verifier.verify({ ...request, fields: { ...request.fields, [kit.textField]: 'STOP' } }), false);
    });

    t.test('an added field is rejected', async (t) => {
      const request = kit.signed(fields, secret);
      t.equal(verifier.verify({ ...request, fields: { ...request.fields, Injected: '1' } }), false);
    });

    t.test('a removed field is rejected', async (t) => {
      const request = kit.signed(fields, secret);
      const { [kit.idField]: _removed, ...rest } = request.fields;
      t.equal(verifier.verify({ ...request, fields: rest }), false);
    });

    t.test('another secret is rejected', async (t) => {
      t.equal(verifier.verify(kit.signed(fields, 'someone-else')), false);
    });

    t.test('an unsigned request is rejected', async (t) => {
      t.equal(verifier.verify({ url: kit.signed(fields, secret).url, method: 'POST', headers: {}, fields }), false);
    });

    t.test('no secret configured: nothing is accepted (fail closed)', async (t) => {
      t.equal(kit.verifier([]).verify(kit.signed(fields, '')), false);
      t.equal(kit.verifier(['']).verify(kit.signed(fields, '')), false);
    });

    t.test('during a rotation both secrets are accepted', async (t) => {
      const rotating = kit.verifier(['contract-secret-2', secret]);
      t.equal(rotating.verify(kit.signed(fields, secret)), true);
      t.equal(rotating.verify(kit.signed(fields, 'contract-secret-2')), true);
    });
  });
}
