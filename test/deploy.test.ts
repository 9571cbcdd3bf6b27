import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { ConfigError, loadConfig } from '../app/config.js';
import { TOKENS } from '../app/tokens.js';
import { ROOT, spawnService } from './fixtures/process.js';
import { freePort } from './fixtures/ports.js';
import { createTestDatabase } from './fixtures/postgres.js';
import { adaptSite, checkNginx, NGINX, nginxDir, selfSigned, startNginx, writeNginxConf } from './fixtures/nginx.js';
import { startTestService, TEST_TOKEN } from './fixtures/service.js';
import { inboundFields, sign } from './fixtures/twilio.js';

const HOST = 'app.berinia.test';
const SYSTEMD_ANALYZE = spawnSync('systemd-analyze', ['--version']).status === 0;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Rows of one query on a connection of the test's own. */
async function pgRows<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

t.test('through a real Nginx with TLS: signed for the public https URL, stored; the rest refused', async (t) => {
  t.ok(NGINX, 'nginx is installed (npm test installs nginx-light when missing)');
  if (NGINX === undefined) return;
  const dir = nginxDir();
  const live = join(dir, 'etc/letsencrypt/live', HOST);
  selfSigned(HOST, join(live, 'fullchain.pem'), join(live, 'privkey.pem'));
  const { baseUrl, service } = await startTestService(t, { env: { PUBLIC_URL: `https://${HOST}` } });
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  // One instance here: both upstream lines point at it (the rolling restart has its own test).
  const port = Number(new URL(baseUrl).port);
  const site = adaptSite('berinia-webhook.conf', dir, { host: HOST, httpPort, httpsPort, upstreams: [port, port] });
  const conf = writeNginxConf(dir, site);
  const checked = checkNginx(dir, conf);
  t.equal(checked.status, 0, `nginx -t accepts the shipped site ${checked.stderr}`);
  await startNginx(t, dir, conf);
  const ca = readFileSync(join(live, 'fullchain.pem'));
  const https = (path: string, body: string, headers: Record<string, string>): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: httpsPort,
          servername: HOST,
          ca,
          method: 'POST',
          path,
          headers: { host: HOST, ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const url = `https://${HOST}/webhook/sms-response`;
  const post = (fields: Record<string, string>, signedFor: string) =>
    https('/webhook/sms-response', new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': sign(TEST_TOKEN, signedFor, fields),
    });

  const fields = inboundFields({ Body: 'Rappelez-moi demain à 10h' });
  const ok = await post(fields, url);
  t.equal(ok.status, 200, 'signed by the twilio package for the public https URL');
  t.match(ok.headers['content-type'], /^text\/xml/);
  t.match(ok.body, /^<\?xml version="1.0" encoding="UTF-8"\?><Response/);
  const db = service.container.resolve(TOKENS.Database);
  const rows = await sql<{
    intent: string;
  }>`select intent from inbound_messages where message_id = ${fields.MessageSid}`.execute(db);
  t.same(rows.rows, [{ intent: 'CALLBACK_REQUEST' }], 'the row is stored');
  t.equal((await post(inboundFields(), `http://${HOST}/webhook/sms-response`)).status, 403, 'signed for http://');
  t.equal((await post(inboundFields(), `https://evil.example/webhook/sms-response`)).status, 403, 'another host');
  const big = await https('/webhook/sms-response', `Body=${'x'.repeat(70 * 1024)}`, {
    'content-type': 'application/x-www-form-urlencoded',
  });
  t.equal(big.status, 413, 'a body over 64 KiB');
  t.match(big.body, /nginx/, 'refused by Nginx itself');
  t.equal((await https('/metrics', '', {})).status, 404, '/metrics is not public');
  t.equal((await https('/readyz', '', {})).status, 404, '/readyz is not public');
  const plain = await new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: httpPort, path: '/webhook/sms-response', headers: { host: HOST } },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode as number, headers: res.headers, body: '' });
      },
    );
    req.on('error', reject);
    req.end();
  });
  t.equal(plain.status, 301, 'plain HTTP redirects');
  t.equal(plain.headers['location'], `https://${HOST}/webhook/sms-response`);

  // A Vonage GET webhook carries the number, the text and the signature in its query string.
  const query = 'msisdn=33612345678&text=mon%20mail%20jean%40exemple.fr&sig=0123abcd';
  await new Promise<void>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        servername: HOST,
        ca,
        path: `/webhook/vonage/sms-response?${query}`,
        headers: { host: HOST },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end();
  });
  // Nginx writes the line as the request ends, unbuffered: read until it is there.
  const logFile = join(dir, 'berinia-webhook.access.log');
  let log = '';
  for (let i = 0; i < 50 && !log.includes('vonage'); i++) {
    log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (!log.includes('vonage')) await new Promise((r) => setTimeout(r, 50));
  }
  t.match(log, /"GET \/webhook\/vonage\/sms-response HTTP\/1\.1" /, 'the webhook request is logged');
  t.notMatch(log, /msisdn|33612345678|jean|sig=/, 'without its query string');

  // TLS 1.2 without forward secrecy (static RSA key exchange) is refused.
  const staticRsa = await new Promise<string>((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port: httpsPort,
      servername: HOST,
      ca,
      ciphers: 'AES128-GCM-SHA256',
      maxVersion: 'TLSv1.2',
    });
    socket.on('secureConnect', () => resolve(`connected with ${socket.getCipher().name}`));
    socket.on('error', (error) => resolve(error.message));
  });
  t.match(staticRsa, /handshake failure|alert/, `a static-RSA suite: ${staticRsa}`);

  // The review's attack: a body trickled one byte every few seconds (6 s here; each byte used to
  // restart a 10 s timer, and the connection stayed open for as long as the attacker liked).
  const trickle = connect({ host: '127.0.0.1', port: httpsPort, servername: HOST, ca });
  await once(trickle, 'secureConnect');
  trickle.write(
    `POST /webhook/sms-response HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nB`,
  );
  let answer = '';
  trickle.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  trickle.resume();
  const drip = setInterval(() => trickle.write('x'), 6000);
  const closed = await Promise.race([
    once(trickle, 'close').then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 14_000)),
  ]);
  t.ok(closed, "the trickling connection is closed within Twilio's 15 s");
  clearInterval(drip);
  t.match(answer, /^$|408/, 'with a 408 or nothing');
  trickle.destroy();
});

/** A plain HTTP request to a loopback Nginx, for `host`. */
function plainRequest(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A connection of its own (no keep-alive pool): a reload ends the old worker's idle connections.
    const req = httpRequest({ host: '127.0.0.1', port, path, method, agent: false, headers: { host: HOST } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('TLS from nothing, in the documented order: bootstrap site, certificate, TLS site', async (t) => {
  t.ok(NGINX, 'nginx is installed');
  if (NGINX === undefined) return;
  const dir = nginxDir();
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const live = join(dir, 'etc/letsencrypt/live', HOST);

  // Step 1: the HTTP-only bootstrap site, on a host without any certificate.
  const conf = writeNginxConf(dir, adaptSite('berinia-webhook-bootstrap.conf', dir, { host: HOST, httpPort }));
  t.notOk(existsSync(join(dir, 'etc/letsencrypt')), 'no certificate anywhere');
  const bootstrap = checkNginx(dir, conf);
  t.equal(bootstrap.status, 0, `nginx -t accepts the bootstrap site without a certificate ${bootstrap.stderr}`);
  const nginx = await startNginx(t, dir, conf);
  // What `certbot certonly --webroot -w /var/www/letsencrypt` writes, and the CA then fetches.
  const challenges = join(dir, 'var/www/letsencrypt/.well-known/acme-challenge');
  mkdirSync(challenges, { recursive: true });
  writeFileSync(join(challenges, 'Xk3-token'), 'Xk3-token.account-thumbprint');
  const challenge = await plainRequest(httpPort, '/.well-known/acme-challenge/Xk3-token');
  t.equal(challenge.status, 200, 'the ACME challenge is served');
  t.equal(challenge.body, 'Xk3-token.account-thumbprint');
  t.match(challenge.headers['content-type'], /^text\/plain/);
  for (const [method, path] of [
    ['POST', '/webhook/sms-response'],
    ['GET', '/'],
    ['GET', '/readyz'],
    ['GET', '/.well-known/other'],
  ]) {
    t.equal((await plainRequest(httpPort, path as string, method)).status, 404, `nothing else: ${method} ${path}`);
  }

  // The TLS site cannot replace it before the certificate exists: what broke `certbot --nginx`.
  const tls = adaptSite('berinia-webhook.conf', dir, {
    host: HOST,
    httpPort,
    httpsPort,
    upstreams: [await freePort(), await freePort()],
  });
  const tlsDir = nginxDir();
  const early = checkNginx(tlsDir, writeNginxConf(tlsDir, tls));
  t.not(early.status, 0, 'nginx -t refuses the TLS site without its certificate');
  t.match(early.stderr, /cannot load certificate/);

  // Step 2: the certificate at the paths the site names (self-signed here, certbot's on a host).
  selfSigned(HOST, join(live, 'fullchain.pem'), join(live, 'privkey.pem'));
  // Step 3: the TLS site replaces the bootstrap one, nginx -t, reload.
  writeNginxConf(dir, tls);
  const checked = checkNginx(dir, conf);
  t.equal(checked.status, 0, `nginx -t accepts the TLS site once the certificate exists ${checked.stderr}`);
  await nginx.reload();
  const renewal = await plainRequest(httpPort, '/.well-known/acme-challenge/Xk3-token');
  t.equal(renewal.status, 200, 'the TLS site still serves the webroot on port 80, for the renewals');
  const redirect = await plainRequest(httpPort, '/webhook/sms-response');
  t.equal(redirect.status, 301, 'everything else on port 80 is redirected');
  t.equal(redirect.headers['location'], `https://${HOST}/webhook/sms-response`);
  const handshake = await new Promise<string>((resolve) => {
    const ca = readFileSync(join(live, 'fullchain.pem'));
    const socket = connect({ host: '127.0.0.1', port: httpsPort, servername: HOST, ca });
    socket.on('secureConnect', () => {
      resolve(`authorized: ${socket.authorized}`);
      socket.destroy();
    });
    socket.on('error', (error) => resolve(error.message));
  });
  t.equal(handshake, 'authorized: true', 'TLS with the certificate, after the reload');
});

t.test('two instances, one stopped and restarted under load through Nginx: no error, one row each', async (t) => {
  t.ok(NGINX, 'nginx is installed');
  if (NGINX === undefined) return;
  const dir = nginxDir();
  const live = join(dir, 'etc/letsencrypt/live', HOST);
  selfSigned(HOST, join(live, 'fullchain.pem'), join(live, 'privkey.pem'));
  const ca = readFileSync(join(live, 'fullchain.pem'));
  // A throw-away database shared by the two instances, migrated by the first one to start.
  const url = await createTestDatabase(t);
  const env = { DATABASE_URL: url, TWILIO_TOKEN: TEST_TOKEN, PUBLIC_URL: `https://${HOST}`, LOG_LEVEL: 'info' };
  const first = await spawnService(t, env);
  let second = await spawnService(t, env);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const conf = writeNginxConf(
    dir,
    adaptSite('berinia-webhook.conf', dir, { host: HOST, httpPort, httpsPort, upstreams: [first.port, second.port] }),
  );
  const nginx = await startNginx(t, dir, conf);

  // Twilio's traffic: signed POSTs over TLS from 8 connections at most. Each pauses 150 ms after an
  // answer, which keeps the pace under the site's 50 requests/s per address (429 past it).
  const answers = new Map<string, number>();
  const failures: string[] = [];
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      const fields = inboundFields({ Body: 'Oui, intéressé' });
      const body = new URLSearchParams(fields).toString();
      const signature = sign(TEST_TOKEN, `https://${HOST}/webhook/sms-response`, fields);
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: httpsPort,
              servername: HOST,
              ca,
              method: 'POST',
              path: '/webhook/sms-response',
              agent: false,
              headers: {
                host: HOST,
                'content-type': 'application/x-www-form-urlencoded',
                'x-twilio-signature': signature,
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode as number));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        answers.set(fields.MessageSid as string, status);
      } catch (error) {
        failures.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  const acknowledged = () => [...answers.values()].filter((status) => status === 200).length;
  /** Resolves once `check` holds; checked after each answer the load receives. */
  const until = async (check: () => boolean): Promise<void> => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const stored = (service: { stdout: string[] }) =>
    service.stdout.filter((line) => line.includes('"msg":"webhook stored"')).length;

  // Whatever happens below, the load stops (else a failure would leave the test running forever).
  t.teardown(() => {
    running = false;
  });
  await until(() => stored(first) > 0 && stored(second) > 0 && acknowledged() >= 30);
  t.pass('both instances take webhooks');
  // The rolling restart of one instance: SIGTERM (graceful, as systemd stops it), then a new start.
  t.equal(await second.stop('SIGTERM'), 0, 'the second instance stops gracefully');
  const whileDown = acknowledged();
  await until(() => acknowledged() >= whileDown + 30);
  t.pass('the first instance takes all of them meanwhile');
  second = await spawnService(t, { ...env, PORT: String(second.port) });
  await until(() => stored(second) > 0);
  t.pass('the restarted instance takes webhooks again');
  t.match(
    nginx.stderr(),
    /connect\(\) failed \(111: Connection refused\) while connecting to upstream/,
    'Nginx met the stopped instance (and passed its webhooks on)',
  );
  running = false;
  await Promise.all(workers);

  t.same(failures, [], 'no request failed');
  const statuses = [...answers.values()];
  const errors = nginx
    .stderr()
    .split('\n')
    .filter((line) => /\[(error|warn|crit|alert)\]/.test(line));
  t.same(
    statuses.filter((status) => status !== 200),
    [],
    `no answer but 200 out of ${statuses.length}`,
    { nginx: errors.filter((line) => !line.includes('(111: Connection refused)')) },
  );
  const rows = await pgRows<{ message_id: string; n: string }>(
    url,
    'select message_id, count(*) as n from inbound_messages group by message_id',
  );
  t.equal(rows.length, answers.size, 'as many stored messages as acknowledged ones');
  t.same(
    rows.filter((row) => row.n !== '1' || answers.get(row.message_id) !== 200),
    [],
    'exactly one row per acknowledged MessageSid',
  );
});

const UNITS = ['berinia-webhook.service', 'berinia-webhook@.service'];

/** A systemd value split into words, quotes honoured (systemd.syntax(7)): `A=1 "B=two words"`. */
function unitWords(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
}

/**
 * The environment systemd gives the processes of `unit` (systemd.exec(5)): the Environment=
 * assignments in order, a later one winning; then the EnvironmentFile= files in order, which
 * override Environment= wherever they appear. `%i` is the instance, `%%` a percent sign.
 */
function effectiveEnvironment(unit: string, instance: string, files: Record<string, string>): Record<string, string> {
  const expand = (value: string) => value.replace(/%([i%])/g, (_, c: string) => (c === 'i' ? instance : '%'));
  const env: Record<string, string> = {};
  const fromFiles: Record<string, string> = {};
  for (const line of unit.split('\n')) {
    const match = /^(Environment|EnvironmentFile)=(.*)$/.exec(line);
    if (match === null) continue;
    if (match[1] === 'Environment') {
      for (const word of unitWords(expand(match[2] as string))) {
        const at = word.indexOf('=');
        env[word.slice(0, at)] = word.slice(at + 1);
      }
    } else {
      const path = expand(match[2] as string).replace(/^-/, '');
      Object.assign(fromFiles, parseEnv(files[path] as string));
    }
  }
  return { ...env, ...fromFiles };
}

t.test('the environment each unit runs with: the unit decides NODE_ENV, HOST, PORT, DATA_DIR', async (t) => {
  const template = readFileSync(join(ROOT, 'deploy/berinia-webhook.env'), 'utf8');
  const unit = (name: string) => readFileSync(join(ROOT, 'deploy/systemd', name), 'utf8');
  const decided = { NODE_ENV: 'production', HOST: '127.0.0.1', DATA_DIR: '/var/lib/berinia-webhook' };
  // deploy/install.sh installs the template as /etc/berinia-webhook/env.
  const installed = { '/etc/berinia-webhook/env': template };
  t.match(effectiveEnvironment(unit('berinia-webhook.service'), '', installed), { ...decided, PORT: '8001' });
  for (const port of ['8001', '8002']) {
    const env = effectiveEnvironment(unit('berinia-webhook@.service'), port, installed);
    t.match(env, { ...decided, PORT: port }, `berinia-webhook@${port}.service listens on ${port}, in production`);
    t.equal(env['PUBLIC_URL'], 'https://app.berinia.com', 'the operator settings come from the file');
    // What the service makes of it: the template as shipped lacks the token the operator must set.
    t.throws(
      () => loadConfig(env),
      new ConfigError('TWILIO_TOKEN', 'TWILIO_TOKEN is required when NODE_ENV=production'),
    );
    const config = loadConfig({ ...env, TWILIO_TOKEN: 'set-by-the-operator' });
    t.match(config, { production: true, host: '127.0.0.1', port: Number(port), dataDir: decided.DATA_DIR });
  }
  t.match(effectiveEnvironment(unit('berinia-webhook-purge.service'), '', installed), {
    NODE_ENV: 'production',
    DATA_DIR: decided.DATA_DIR,
  });
  for (const name of Object.keys(decided).concat('PORT')) {
    t.notOk(name in parseEnv(template), `the template leaves ${name} to the unit`);
  }

  // What an older install.sh put there (.env.example) overrides the unit: development, one port.
  const old = effectiveEnvironment(unit('berinia-webhook@.service'), '8002', {
    '/etc/berinia-webhook/env': readFileSync(join(ROOT, '.env.example'), 'utf8'),
  });
  t.match(old, { NODE_ENV: 'development', PORT: '8001' }, 'EnvironmentFile= wins over Environment=');
  // ...so install.sh refuses such a file before restarting anything (deploy/check-env.sh).
  const check = (file: string) => spawnSync('bash', [join(ROOT, 'deploy/check-env.sh'), file], { encoding: 'utf8' });
  t.equal(check(join(ROOT, 'deploy/berinia-webhook.env')).status, 0, 'the template passes the check');
  const refused = check(join(ROOT, '.env.example'));
  t.equal(refused.status, 1, '.env.example is refused');
  for (const name of ['NODE_ENV', 'HOST', 'PORT', 'DATA_DIR'])
    t.match(refused.stderr, new RegExp(`line \\d+:${name}=`));
  t.equal(spawnSync('bash', [join(ROOT, 'deploy/check-env.sh')]).status, 2, 'usage');
  t.same(unitWords(`A=1 "B=two words" 'C=x'`), ['A=1', 'B=two words', 'C=x']);
  t.equal(effectiveEnvironment('Environment=P=%i%%', '7', {})['P'], '7%');
});

t.test('systemd units: required directives, verify and security score', async (t) => {
  for (const unit of UNITS) {
    const text = readFileSync(join(ROOT, 'deploy/systemd', unit), 'utf8');
    const directives = new Map<string, string[]>();
    for (const line of text.split('\n')) {
      const match = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (match !== null)
        directives.set(match[1] as string, [...(directives.get(match[1] as string) ?? []), match[2] as string]);
    }
    const one = (name: string) => directives.get(name)?.[0];
    t.equal(one('User'), 'berinia', `${unit}: a dedicated user`);
    t.equal(one('NoNewPrivileges'), 'yes', `${unit}: NoNewPrivileges`);
    t.equal(one('ProtectSystem'), 'strict', `${unit}: ProtectSystem=strict`);
    t.equal(one('ProtectHome'), 'yes', `${unit}: ProtectHome`);
    t.equal(one('PrivateTmp'), 'yes', `${unit}: PrivateTmp`);
    t.equal(one('CapabilityBoundingSet'), '', `${unit}: no capabilities`);
    t.equal(one('ReadWritePaths'), '/var/lib/berinia-webhook', `${unit}: writable only in the data directory`);
    t.equal(one('EnvironmentFile'), '/etc/berinia-webhook/env', `${unit}: the .env`);
    t.equal(one('Restart'), 'on-failure', `${unit}: restarts on failure`);
    t.equal(one('RestartPreventExitStatus'), '78', `${unit}: but not on a configuration error (exit 78)`);
    t.ok(Number(one('StartLimitBurst')) > 0 && Number(one('StartLimitIntervalSec')) > 0, `${unit}: with a start limit`);
    t.ok(Number(one('TimeoutStopSec')) > 10, `${unit}: stop timeout above the 10 s graceful stop`);
    t.notOk(directives.has('MemoryDenyWriteExecute'), `${unit}: V8 needs W+X memory`);
  }
  t.match(readFileSync(join(ROOT, 'deploy/systemd/berinia-webhook@.service'), 'utf8'), /\nEnvironment=PORT=%i\n/);
  const purge = readFileSync(join(ROOT, 'deploy/systemd/berinia-webhook-purge.service'), 'utf8');
  t.match(purge, /\nExecStart=\/usr\/bin\/node .*\/dist\/app\/cli\/purge\.js\n/, 'the purge runs the compiled tool');
  for (const directive of ['User=berinia', 'ProtectSystem=strict', 'CapabilityBoundingSet=', 'NoNewPrivileges=yes']) {
    t.ok(purge.includes(`\n${directive}\n`), `the purge runs with ${directive}`);
  }
  t.match(
    readFileSync(join(ROOT, 'deploy/systemd/berinia-webhook-purge.timer'), 'utf8'),
    /\nOnCalendar=\S+[^]*\nPersistent=true\n/,
    'daily, catching up a missed day',
  );
  if (!SYSTEMD_ANALYZE) {
    t.comment('systemd-analyze is not available: directives checked by reading the files only');
    return;
  }
  // The template is verified as an instance, as systemd would load it.
  const dir = mkdtempSync(join(tmpdir(), 'berinia-units-'));
  const all = [...UNITS, 'berinia-webhook-purge.service'];
  const files = all.map((unit) => join(dir, unit.replace('@.', '@8001.')));
  all.forEach((unit, i) => copyFileSync(join(ROOT, 'deploy/systemd', unit), files[i] as string));
  files.push(join(dir, 'berinia-webhook@8002.service'));
  copyFileSync(join(ROOT, 'deploy/systemd/berinia-webhook@.service'), files.at(-1) as string);
  copyFileSync(join(ROOT, 'deploy/systemd/berinia-webhook-purge.timer'), join(dir, 'berinia-webhook-purge.timer'));
  const timer = spawnSync('systemd-analyze', ['verify', join(dir, 'berinia-webhook-purge.timer')], {
    encoding: 'utf8',
  });
  t.equal(timer.status, 0, `systemd-analyze verify the purge timer ${timer.stderr}`);
  for (const file of files) {
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    t.equal(verify.status, 0, `systemd-analyze verify ${file}`);
    t.equal(verify.stderr, '', 'no warning');
    const security = spawnSync('systemd-analyze', ['security', '--offline=true', file], { encoding: 'utf8' });
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1]);
    t.ok(score <= 1.5, `exposure ${score} <= 1.5 (OK)`);
  }
});

t.test('install.sh: valid bash, and --dry-run lists the steps without doing them', async (t) => {
  const script = join(ROOT, 'deploy/install.sh');
  t.equal(spawnSync('bash', ['-n', script]).status, 0);
  const dry = spawnSync('bash', [script, '--dry-run'], { encoding: 'utf8' });
  t.equal(dry.status, 0, dry.stderr);
  for (const step of [
    /useradd --system .* berinia|==> system user berinia/,
    /install -o root -g root -m 0600 .*\/deploy\/berinia-webhook\.env \/etc\/berinia-webhook\/env/,
    /chmod 0600 \/etc\/berinia-webhook\/env/,
    /check-env\.sh \/etc\/berinia-webhook\/env/,
    /rsync .*--exclude \/data /,
    /migrate\.js/,
    // Two instances by default, restarted one after the other: the second once the first is ready.
    /systemctl restart berinia-webhook@8001\.service\n.*127\.0\.0\.1:8001\/readyz.*\n.*systemctl enable berinia-webhook@8002\.service\n.*systemctl restart berinia-webhook@8002\.service\n.*:8002\/readyz/,
    /systemctl disable --now berinia-webhook\.service/,
    /systemctl enable --now berinia-webhook-purge\.timer/,
  ]) {
    t.match(dry.stdout, step);
  }
  t.equal(spawnSync('bash', [script, '--bogus']).status, 2, 'unknown option');
  t.equal(spawnSync('bash', [script, '--code']).status, 2, '--code without its directory');
  const single = spawnSync('bash', [script, '--dry-run'], {
    encoding: 'utf8',
    env: { ...process.env, UNITS: 'berinia-webhook.service' },
  });
  t.match(
    single.stdout,
    /systemctl disable --now berinia-webhook@8001\.service\n.*systemctl enable berinia-webhook\.service\n.*systemctl restart berinia-webhook\.service\n.*:8001\/readyz/,
    'UNITS=berinia-webhook.service: the single unit on 8001',
  );
});
