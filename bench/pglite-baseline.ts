/**
 * The bare baseline for the embedded default: node:http, the Twilio signature check, one INSERT ...
 * ON CONFLICT DO NOTHING a request on PGlite (in DATA_DIR/pglite, opened as the service opens it),
 * an empty TwiML answer. Nothing else: no batching, no interpretation, no lead.
 * Env: PORT, DATA_DIR, TWILIO_TOKEN, PUBLIC_URL.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import twilio from 'twilio';

const { PORT = '8102', DATA_DIR = './data', TWILIO_TOKEN = '', PUBLIC_URL = '' } = process.env;
const db = new PGlite(join(DATA_DIR, 'pglite'));
await db.exec(
  'create table if not exists baseline_messages (message_id text primary key, sender text, body text, raw jsonb)',
);
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const signature = String(req.headers['x-twilio-signature'] ?? '');
    if (
      req.url === '/healthz' ||
      !twilio.validateRequest(TWILIO_TOKEN, signature, PUBLIC_URL + (req.url ?? ''), fields)
    ) {
      res.writeHead(403).end();
      return;
    }
    db.query(
      'insert into baseline_messages (message_id, sender, body, raw) values ($1, $2, $3, $4) on conflict do nothing',
      [fields['MessageSid'], fields['From'], fields['Body'], JSON.stringify(fields)],
    ).then(
      () => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(TWIML),
      () => res.writeHead(503).end(),
    );
  });
}).listen(Number(PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => void db.close().then(() => process.exit(0)));
