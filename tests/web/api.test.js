// The API's gate and its refusals, against the real daemon: no session is
// 401, a change without the CSRF token is 403, bad input is 400 naming the
// field with nothing written, repeated failed log-ins lock the user out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import https from 'node:https';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { Gateway, logIn, request, SIPP_SCENARIOS } from './gateway.js';

const gateway = new Gateway();
let session;

before(async () => {
  await gateway.start();
  session = await logIn(gateway);
});

after(async () => {
  assert.equal(await gateway.stop(), 0, gateway.log);
});

test('the session cookie is HttpOnly, Secure and SameSite=Strict', () => {
  assert.match(session.setCookie, /HttpOnly/);
  assert.match(session.setCookie, /Secure/);
  assert.match(session.setCookie, /SameSite=Strict/);
});

test('without a session the API answers 401 and the page still loads', async () => {
  for (const [method, path] of [['GET', '/api/status'], ['GET', '/api/plan'], ['POST', '/api/trunks'],
    ['GET', '/api/calls'], ['DELETE', '/api/routes/global']]) {
    const answer = await request(gateway, method, path, { body: method === 'GET' ? undefined : {} });
    assert.equal(answer.status, 401, `${method} ${path}`);
  }
  const forged = await request(gateway, 'GET', '/api/status', { cookie: 'sipgw_session=0123' });
  assert.equal(forged.status, 401);
  const page = await request(gateway, 'GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>sipgw<\/title>/);
  assert.match(page.headers['content-security-policy'], /default-src 'self'/);
});

test('a change without the CSRF token, or with a wrong one, is 403 and changes nothing', async () => {
  const trunk = { name: 'forged', spans: ['span9'] };
  const missing = await request(gateway, 'POST', '/api/trunks', { cookie: session.cookie, body: trunk });
  assert.equal(missing.status, 403);
  const wrong = await request(gateway, 'POST', '/api/trunks',
    { cookie: session.cookie, csrf: 'f'.repeat(64), body: trunk });
  assert.equal(wrong.status, 403);
  const plan = await request(gateway, 'GET', '/api/plan', { cookie: session.cookie });
  assert.equal(plan.body.trunks.some((t) => t.name === 'forged'), false);
});

test('bad input is 400 naming the field, and nothing is written', async () => {
  const before = await request(gateway, 'GET', '/api/plan', { cookie: session.cookie });
  const cases = [
    [{ name: 'bad', spans: ['span9'], switchtype: 'nope' }, 'trunks[bad].switchtype'],
    [{ name: 'bad', spans: ['span9'], law: 7 }, 'trunks[bad].law'],
    [{ name: 'bad', spans: ['span9'], colour: 'red' }, 'trunks[bad].colour'],
    [{ spans: ['span9'] }, 'trunks.name'],
    ['{"name": "bad", ', 'body'],
  ];
  for (const [body, field] of cases) {
    const answer = await request(gateway, 'POST', '/api/trunks', { ...session, body });
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.field, field, JSON.stringify(answer.body));
    assert.ok(answer.body.error.length > 0);
  }
  // Valid JSON, but the plan would be wrong: a trunk group naming no trunk.
  const group = await request(gateway, 'POST', '/api/trunk_groups',
    { ...session, body: { name: 'G', trunks: ['no-such-trunk'] } });
  assert.equal(group.status, 400, JSON.stringify(group.body));
  assert.match(group.body.field, /^trunk_groups\[G\]\.trunks/);
  const after = await request(gateway, 'GET', '/api/plan', { cookie: session.cookie });
  assert.deepEqual(after.body, before.body);
});

test('a trunk added through the API starts its span at once, and can be removed', async () => {
  const added = await request(gateway, 'POST', '/api/trunks',
    { ...session, body: { name: 'extra', spans: ['span7'], switchtype: 'qsig' } });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.match(added.body.result, /started trunks extra/);
  let span;
  for (let i = 0; i < 100 && span?.d_channel !== 'up'; i += 1) {
    const status = await request(gateway, 'GET', '/api/status', { cookie: session.cookie });
    span = status.body.spans.find((s) => s.name === 'span7');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(span?.d_channel, 'up');
  assert.equal(span.trunk, 'extra');
  const again = await request(gateway, 'POST', '/api/trunks', { ...session, body: { name: 'extra', spans: ['span8'] } });
  assert.equal(again.status, 409);
  const removed = await request(gateway, 'DELETE', '/api/trunks/extra', session);
  assert.equal(removed.status, 200);
  assert.match(removed.body.restart_needed, /extra \(removed\)/);
});

test('an item whose key holds a slash is edited and removed by its encoded name', async () => {
  const realm = 'sip.example.com/gw';
  const added = await request(gateway, 'POST', '/api/credentials',
    { ...session, body: { realm, user: 'gw', password: 'secret-one' } });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const path = `/api/credentials/${encodeURIComponent(realm)}`;
  const changed = await request(gateway, 'PUT', path,
    { ...session, body: { realm, user: 'gw', password: 'secret-two' } });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  let plan = await request(gateway, 'GET', '/api/plan', { cookie: session.cookie });
  assert.equal(plan.body.credentials.find((c) => c.realm === realm)?.password, 'secret-two');
  const removed = await request(gateway, 'DELETE', path, session);
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  plan = await request(gateway, 'GET', '/api/plan', { cookie: session.cookie });
  assert.equal(plan.body.credentials.some((c) => c.realm === realm), false);
});

test('trust and accounts are edited through the API; a password is kept only as digests', async () => {
  const before = (await request(gateway, 'GET', '/api/plan', { cookie: session.cookie })).body.trust;
  const trusted = await request(gateway, 'PUT', '/api/trust',
    { ...session, body: { ...before, peers: [...before.peers, '192.0.2.0/24'], untrusted: 'reject' } });
  assert.equal(trusted.status, 200, JSON.stringify(trusted.body));
  const status = await request(gateway, 'GET', '/api/status', { cookie: session.cookie });
  assert.match(status.body.trust.peers, /192\.0\.2\.0\/24/);
  assert.equal(status.body.trust.untrusted, 'reject');

  const bad = await request(gateway, 'PUT', '/api/trust', { ...session, body: { peers: ['10.0.0.0/33'] } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.field, /^trust\.peers/);
  const notObject = await request(gateway, 'PUT', '/api/trust', { ...session, body: ['10.0.0.1'] });
  assert.equal(notObject.status, 400);

  const added = await request(gateway, 'POST', '/api/accounts',
    { ...session, body: { name: 'pbx1', password: 'correct horse' } });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const noPassword = await request(gateway, 'POST', '/api/accounts', { ...session, body: { name: 'pbx2' } });
  assert.equal(noPassword.status, 400);
  assert.equal(noPassword.body.field, 'accounts[pbx2].password');
  const plan = await request(gateway, 'GET', '/api/plan', { cookie: session.cookie });
  const account = plan.body.accounts.find((a) => a.name === 'pbx1');
  assert.match(account.ha1_sha256, /^[0-9a-f]{64}$/);
  assert.match(account.ha1_md5, /^[0-9a-f]{32}$/);
  assert.equal(JSON.stringify(plan.body).includes('correct horse'), false, 'the password is nowhere');
  assert.equal(gateway.log.includes('correct horse'), false, 'nor in the journal');

  const removed = await request(gateway, 'DELETE', '/api/accounts/pbx1', session);
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  const restored = await request(gateway, 'PUT', '/api/trust', { ...session, body: before });
  assert.equal(restored.status, 200, JSON.stringify(restored.body));
});

test('the route tester answers for a Request-URI and names a bad one', async () => {
  const routed = await request(gateway, 'POST', '/api/route-test',
    { ...session, body: { uri: 'sip:7773660;phone-context=p1234@gw.example.com;user=phone' } });
  assert.equal(routed.status, 200);
  assert.equal(routed.body.result, 'routed');
  assert.equal(routed.body.route, 'private-p1234');
  const bad = await request(gateway, 'POST', '/api/route-test', { ...session, body: { uri: 'mailto:x@y' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, 'uri');
});

test('call records come as JSON and as CSV, and a bad filter is named', async () => {
  const json = await request(gateway, 'GET', '/api/calls?limit=5', { cookie: session.cookie });
  assert.equal(json.status, 200);
  assert.ok(json.body.columns.includes('q850-cause'));
  const csv = await request(gateway, 'GET', '/api/calls?format=csv', { cookie: session.cookie });
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type'], /text\/csv/);
  assert.match(csv.body, /^start,answered,end,call-id,/);
  const bad = await request(gateway, 'GET', '/api/calls?cause=abc', { cookie: session.cookie });
  assert.equal(bad.status, 400);
});

test('metrics are there for Prometheus', async () => {
  const metrics = await request(gateway, 'GET', '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^sipgw_dchannel_up\{span="span1"\} 1$/m);
  assert.match(metrics.body, /^sipgw_channels\{span="span1",state="idle"\} 30$/m);
  assert.match(metrics.body, /^sipgw_active_calls 0$/m);
  assert.match(metrics.body, /^sipgw_rtp_jitter_seconds\{stat="max"\} 0$/m);
});

test('logging out ends the session', async () => {
  const other = await logIn(gateway);
  const out = await request(gateway, 'POST', '/api/logout', other);
  assert.equal(out.status, 200);
  const after = await request(gateway, 'GET', '/api/status', { cookie: other.cookie });
  assert.equal(after.status, 401);
});

test('five failed log-ins lock the user, even against the right password', async () => {
  const set = await request(gateway, 'POST', '/api/password',
    { ...session, body: { old: 'wrong-old-password', new: 'another-password' } });
  assert.equal(set.status, 403);
  assert.equal(set.body.field, 'old');
  // A user of its own, so the admin session of the other tests stays usable.
  const created = await request(gateway, 'POST', '/api/password',
    { ...session, body: { old: gateway.password, new: 'x' } });
  assert.equal(created.status, 400);
  assert.equal(created.body.field, 'new');
  for (let i = 0; i < 4; i += 1) {
    const failed = await request(gateway, 'POST', '/api/login', { body: { user: 'admin', password: `wrong${i}` } });
    assert.equal(failed.status, 401);
  }
  const locking = await request(gateway, 'POST', '/api/login', { body: { user: 'admin', password: 'wrong4' } });
  assert.equal(locking.status, 429);
  const right = await request(gateway, 'POST', '/api/login', { body: { user: 'admin', password: gateway.password } });
  assert.equal(right.status, 429);
  assert.ok(Number(right.headers['retry-after']) > 0);
  // The session opened before the lockout goes on working.
  const status = await request(gateway, 'GET', '/api/status', { cookie: session.cookie });
  assert.equal(status.status, 200);
  // The trust list is part of the status: the demo trusts this machine only.
  const { trust } = status.body;
  assert.match(trust.peers, /^127\.0\.0\.0\/8 \(trust\.peers\)/);
  assert.equal(trust.untrusted, 'drop');
  assert.ok(Array.isArray(trust.untrusted_sources));
});

test('a finished call has its ladder and a pcap Wireshark decodes as SIP and Q.931', async () => {
  const sipp = spawnSync('sipp', [`127.0.0.1:${gateway.sipPort}`, '-sf', `${SIPP_SCENARIOS}/call.xml`,
    '-m', '1', '-d', '300', '-i', '127.0.0.1', '-p', String(gateway.sipPort + 2),
    '-key', 'ruri', 'sip:7773660;phone-context=p1234@127.0.0.1;user=phone',
    '-key', 'rtp_port', String(gateway.sipPort + 3), '-mp', String(gateway.sipPort + 3), '-rtp_echo',
    '-nostdin', '-timeout', '20s', '-timeout_error'], { cwd: gateway.dir, encoding: 'utf8', timeout: 30000 });
  assert.equal(sipp.status, 0, sipp.stdout + sipp.stderr);
  let records;
  for (let i = 0; i < 50 && !records?.body.rows.length; i += 1) {
    records = await request(gateway, 'GET', '/api/calls?number=7773660&limit=1', { cookie: session.cookie });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const callId = records.body.rows[0][records.body.columns.indexOf('call-id')];
  const ladder = await request(gateway, 'GET', `/api/calls/ladder?call_id=${encodeURIComponent(callId)}`,
    { cookie: session.cookie });
  assert.equal(ladder.status, 200);
  const seen = ladder.body.messages.map((m) => `${m.protocol} ${m.direction} ${m.summary}`);
  for (const expected of ['sip received INVITE', 'sip sent 180 Ringing', 'sip sent 200 OK', 'sip received ACK',
    'sip received BYE', 'q931 sent SETUP', 'q931 received CONNECT', 'q931 sent DISCONNECT',
    'q931 received RELEASE', 'q931 sent RELEASE COMPLETE']) {
    assert.ok(seen.includes(expected), `${expected} in ${seen.join(', ')}`);
  }
  assert.ok(seen.indexOf('sip received INVITE') < seen.indexOf('q931 sent SETUP'));
  assert.ok(seen.indexOf('q931 received CONNECT') < seen.indexOf('sip sent 200 OK'));
  const invite = ladder.body.messages.find((m) => m.summary === 'INVITE');
  assert.match(invite.content, /^INVITE sip:7773660;phone-context=p1234@127\.0\.0\.1;user=phone SIP\/2\.0\r\n/);
  // Q.931 messages as libpri decodes them, then their octets.
  const setup = ladder.body.messages.find((m) => m.summary === 'SETUP');
  assert.match(setup.content, /Called Party Number .*'7773660'/);
  const disconnect = ladder.body.messages.find((m) => m.summary === 'DISCONNECT');
  assert.match(disconnect.content, /Cause: Normal Clearing \(16\)/);
  assert.match(disconnect.content, /\n\n([0-9a-f]{2} )+[0-9a-f]{2}$/);

  const pcap = await new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: gateway.httpPort, rejectUnauthorized: false,
      path: `/api/calls/pcap?call_id=${encodeURIComponent(callId)}`, headers: { Cookie: session.cookie } },
    (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  assert.equal(pcap.status, 200);
  assert.match(pcap.headers['content-disposition'], /attachment; filename=".*\.pcapng"/);
  const file = path.join(gateway.dir, 'call.pcapng');
  writeFileSync(file, pcap.body);
  const decoded = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'],
    { encoding: 'utf8' });
  assert.equal(decoded.status, 0, decoded.stderr);
  assert.match(decoded.stdout, /^SIP\/SDP\tRequest: INVITE sip:7773660/m);
  assert.match(decoded.stdout, /^SIP\tRequest: BYE/m);
  assert.match(decoded.stdout, /^Q\.931\t.*SETUP$/m);
  assert.match(decoded.stdout, /^Q\.931\t.*RELEASE COMPLETE$/m);
  // The RTP, found by Wireshark from the SDP: PCMU both ways between SIPp's
  // echo port and the gateway's port.
  const rtp = spawnSync('tshark', ['-r', file, '-Y', 'rtp', '-T', 'fields', '-e', 'udp.srcport',
    '-e', 'udp.dstport', '-e', 'rtp.p_type'], { encoding: 'utf8' });
  const echo = String(gateway.sipPort + 3);
  const streams = rtp.stdout.trim().split('\n').map((line) => line.split('\t'));
  const toGateway = streams.filter(([from, , type]) => from === echo && type === '0').length;
  const toPeer = streams.filter(([, to, type]) => to === echo && type === '0').length;
  assert.ok(toGateway > 5 && toPeer > 5, `RTP to the gateway ${toGateway}, to the peer ${toPeer}`);

  const unknown = await request(gateway, 'GET', '/api/calls/ladder?call_id=nope', { cookie: session.cookie });
  assert.equal(unknown.status, 404);
  const missing = await request(gateway, 'GET', '/api/calls/ladder', { cookie: session.cookie });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.field, 'call_id');
});
