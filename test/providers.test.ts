import t from 'tap';
import { TOKENS } from '../app/tokens.js';
import { startFakeVonage } from './fixtures/fake-vonage.js';
import { PROVIDER_KITS } from './fixtures/providers.js';
import { startTestService } from './fixtures/service.js';

// The same cases through the whole service (HTTP, Postgres), one loop over every provider.
t.test('every provider through the service, on Postgres', async (t) => {
  const api = await startFakeVonage(t);
  const env: Record<string, string> = {
    PROVIDERS: PROVIDER_KITS.map((kit) => kit.name).join(','),
    ...Object.assign({}, ...PROVIDER_KITS.map((kit) => kit.env)),
    // Vonage's replies go to a local fake of its API.
    VONAGE_API_KEY: 'key',
    VONAGE_API_SECRET: 'secret',
    VONAGE_API_URL: api.url,
  };
  const { baseUrl, service } = await startTestService(t, { env });
  const repo = service.container.resolve(TOKENS.Repository);

  for (const kit of PROVIDER_KITS) {
    t.test(kit.name, async (t) => {
      t.test('valid: 200, stored', async (t) => {
        const fields = kit.fields({ text: 'Oui, intéressé', from: '+33611000001' });
        const res = await kit.http(baseUrl, fields);
        t.equal(res.status, 200);
        t.equal(res.headers.get('content-type'), kit.answerType);
        const row = await repo.findMessage(kit.name, fields[kit.idField] as string);
        t.equal(row?.content, 'Oui, intéressé');
        t.equal(row?.sender, '+33611000001');
        t.equal(row?.intent, 'INTERESTED');
      });

      t.test('bad signature: 403, nothing stored', async (t) => {
        const fields = kit.fields();
        t.equal((await kit.http(baseUrl, fields, 'wrong-secret')).status, 403);
        t.equal(await repo.findMessage(kit.name, fields[kit.idField] as string), undefined);
      });

      t.test('missing fields: 400 naming the field, nothing stored', async (t) => {
        const { [kit.required[1] as string]: _removed, ...fields } = kit.fields();
        const res = await kit.http(baseUrl, fields);
        t.equal(res.status, 400);
        t.equal(await res.text(), `missing field ${kit.required[1]}\n`);
        t.equal(await repo.findMessage(kit.name, fields[kit.idField] as string), undefined);
      });

      t.test('duplicate: 200 again, one message, the action once', async (t) => {
        const fields = kit.fields({ text: 'Rappelez-moi demain à 10h', from: '+33611000002' });
        const before = (await repo.listOpenTasks()).length;
        t.equal((await kit.http(baseUrl, fields)).status, 200);
        t.equal((await kit.http(baseUrl, fields)).status, 200);
        t.equal((await repo.listOpenTasks()).length, before + 1, 'one call-back task');
      });

      t.test('unicode: stored exactly', async (t) => {
        const text = 'Très intéressé 👍🏽 — «ça marche» 日本';
        const fields = kit.fields({ text });
        t.equal((await kit.http(baseUrl, fields)).status, 200);
        t.equal((await repo.findMessage(kit.name, fields[kit.idField] as string))?.content, text);
      });

      t.test('an opt-out suppresses the same lead, whichever provider carried it', async (t) => {
        // A number of its own: a lead another provider already opted out would prove nothing.
        const phone = `+336110000${String(10 + PROVIDER_KITS.indexOf(kit)).padStart(2, '0')}`;
        await repo.saveLead(phone, 'spring-2026', new Date());
        t.equal((await repo.findLead(phone))?.status, 'active');
        t.equal((await kit.http(baseUrl, kit.fields({ text: 'STOP', from: phone }))).status, 200);
        t.equal((await repo.findLead(phone))?.status, 'opted_out');
      });
    });
  }
});

t.test('a disabled provider’s route is not found', async (t) => {
  // Each provider alone: its own route answers, every other one's is not found.
  for (const only of PROVIDER_KITS) {
    const { baseUrl } = await startTestService(t, { env: { PROVIDERS: only.name, ...only.env } });
    for (const kit of PROVIDER_KITS) {
      const expected = kit === only ? 200 : 404;
      t.equal((await kit.http(baseUrl, kit.fields())).status, expected, `${kit.name} with only ${only.name}`);
    }
  }
});
