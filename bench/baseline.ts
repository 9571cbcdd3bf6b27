/**
 * The bare limit the service is compared with: node:http, one HMAC-SHA1 of the URL and the sorted
 * fields with node:crypto (Twilio's scheme, for the configured URL only), one prepared INSERT ...
 * ON CONFLICT DO NOTHING with pg, an empty TwiML answer. Nothing else.
 * Env: PORT, DATABASE_URL, TWILIO_TOKEN, PUBLIC_URL.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';

const { PORT = '8101', DATABASE_URL, TWILIO_TOKEN = '', PUBLIC_URL = '' } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
await pool.query(
  'create table if not exists baseline_messages (message_id text primary key, sender text, body text, raw jsonb)',
);
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const hmac = createHmac('sha1', TWILIO_TOKEN).update(PUBLIC_URL + (req.url ?? ''));
    for (const key of Object.keys(fields).sort()) hmac.update(key).update(fields[key] as string);
    const expected = hmac.digest();
    const given = Buffer.from(String(req.headers['x-twilio-signature'] ?? ''), 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(403).end();
      return;
    }
    pool
      .query({
        name: 'insert-message',
        text: 'insert into baseline_messages (message_id, sender, body, raw) values ($1, $2, $3, $4) on conflict do nothing',
        values: [fields['MessageSid'], fields['From'], fields['Body'], JSON.stringify(fields)],
      })
      .then(
        () => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(TWIML),
        () => res.writeHead(503).end(),
      );
  });
}).listen(Number(PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => process.exit(0)); // a clean exit, so that `--cpu-prof` can write its profile
