// The admin page in a real browser (Debian's chromium, driven by
// playwright-core) against the real daemon in demo mode: log in, add a
// trunk, a trunk group and a route, test the route, place a call with SIPp
// and watch it live, hang it up from the page, then find its record.
// Screenshots go to $SCREENSHOT_DIR.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Gateway, SIPP_SCENARIOS } from './gateway.js';

const gateway = new Gateway();
const screenshots = process.env.SCREENSHOT_DIR || path.join(gateway.dir, 'screenshots');
let browser;
let page;

async function shot(name) {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  await gateway.start();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'] });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 820 } });
  page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept());
});

after(async () => {
  await browser?.close();
  assert.equal(await gateway.stop(), 0, gateway.log);
});

async function fill(fields) {
  for (const [key, value] of Object.entries(fields)) {
    const control = page.locator(`#editor [name="${key}"]`);
    if (await control.evaluate((node) => node.tagName) === 'SELECT') await control.selectOption(value);
    else await control.fill(value);
  }
}

test('before log-in no tab shows, and a click anywhere in the header keeps the log-in form', async () => {
  await page.goto(gateway.url);
  const form = page.locator('#login-form');
  await form.waitFor();
  assert.equal(await page.locator('#tabs').isVisible(), false, 'the tabs are hidden');
  assert.equal(await page.locator('#tabs button').first().isVisible(), false);
  // A tab shown by mistake would sit somewhere on the header's line: click all along it.
  const header = await page.locator('header').boundingBox();
  for (let x = 5; x < header.width; x += 20) {
    await page.mouse.click(header.x + x, header.y + header.height / 2);
  }
  assert.ok(await form.isVisible(), 'the log-in form is still there');
  assert.equal(await page.locator('#overview').isVisible(), false);
});

test('log in: a wrong password is refused on the page, the right one shows the spans', async () => {
  await page.goto(gateway.url);
  await page.fill('#login-form [name=user]', 'admin');
  await page.fill('#login-form [name=password]', 'not-the-password');
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-error', { hasText: 'wrong user name or password' }).waitFor();
  await page.fill('#login-form [name=password]', gateway.password);
  await page.click('#login-form button[type=submit]');
  await page.locator('#spans [data-span="span1"] .pill.good', { hasText: 'D-channel up' }).waitFor();
  assert.equal(await page.locator('#spans [data-span="span1"] .ch').count(), 30);
  // Whom the demo takes calls from, and what others get.
  await page.locator('#trust', { hasText: '127.0.0.0/8 (trust.peers)' }).waitFor();
  await page.locator('#trust', { hasText: 'dropped (no answer at all)' }).waitFor();
  await shot('1-spans');
});

test('add a trunk: a bad field is marked, a good trunk starts its span', async () => {
  await page.click('nav button[data-tab=trunks]');
  await page.click('text=Add trunk');
  await fill({ name: 'lab', spans: 'span5', switchtype: 'qsig', channels: '1-40' });
  await page.click('#editor-save');
  await page.locator('#editor-error', { hasText: 'channels' }).waitFor();
  assert.equal(await page.locator('#editor label.invalid[data-field=channels]').count(), 1);
  await shot('2-trunk-refused');
  await fill({ channels: '1-10' });
  await page.click('#editor-save');
  await page.locator('#banner', { hasText: 'started trunks lab' }).waitFor();
  await page.locator('#trunks-table tr[data-name=lab]').waitFor();
  await shot('3-trunk-added');
});

test('add a trunk group and a route, and test the route', async () => {
  await page.click('nav button[data-tab=groups]');
  await page.click('text=Add trunk group');
  await fill({ name: 'LAB', trunks: 'lab' });
  await page.click('#editor-save');
  await page.locator('#trunk_groups-table tr[data-name=LAB]').waitFor();
  await page.click('nav button[data-tab=routes]');
  await page.click('text=Add route');
  await fill({ name: 'lab-route', 'match.phone_context': 'p9999', trunk_groups: 'LAB' });
  await page.click('#editor-save');
  await page.locator('#routes-table tr[data-name=lab-route]').waitFor();
  await page.fill('#route-test [name=uri]', 'sip:2005550100;phone-context=p9999@gw.example.com;user=phone');
  await page.click('#route-test button[type=submit]');
  await page.locator('#route-test-result td', { hasText: 'lab-route' }).waitFor();
  assert.match(await page.locator('#route-test-result').innerText(), /lab spans span5/);
  await shot('4-route-tested');
});

test('a call placed with SIPp shows live, is hung up from the page and has its record', async () => {
  const sipp = spawn('sipp', [`127.0.0.1:${gateway.sipPort}`, '-sf', `${SIPP_SCENARIOS}/far_end_hangup.xml`,
    '-m', '1', '-i', '127.0.0.1', '-p', String(gateway.sipPort + 2),
    '-key', 'ruri', `sip:2005550100;phone-context=p9999@127.0.0.1;user=phone`,
    '-key', 'rtp_port', String(gateway.sipPort + 3), '-mp', String(gateway.sipPort + 3), '-rtp_echo',
    '-nostdin', '-timeout', '60s', '-timeout_error', '-trace_err'], { cwd: gateway.dir, stdio: 'ignore' });
  const sippDone = new Promise((resolve) => sipp.on('exit', (code) => resolve(code)));
  try {
    await page.click('nav button[data-tab=overview]');
    const row = page.locator('#calls tbody tr[data-leg]');
    await row.locator('td', { hasText: 'active' }).waitFor({ timeout: 15000 });
    assert.match(await row.innerText(), /2005550100/);
    assert.match(await row.innerText(), /span5\/B1/);
    await page.locator('#spans [data-span="span5"] .ch.in-use').waitFor();
    await shot('5-call-live');
    await row.locator('text=hang up').click();
    await page.locator('#calls tbody td', { hasText: 'no calls' }).waitFor({ timeout: 10000 });
    assert.equal(await sippDone, 0, 'SIPp got the BYE and the call ended normally');
  } finally {
    sipp.kill();
  }
  await page.click('nav button[data-tab=records]');
  await page.fill('#record-filter [name=number]', '2005550100');
  await page.click('#record-filter button[type=submit]');
  const record = page.locator('#record-table tbody tr').first();
  await record.locator('td', { hasText: 'lab-route' }).waitFor();
  const text = await record.innerText();
  assert.match(text, /\b16\b/);
  assert.match(text, /LAB/);
  assert.match(await page.locator('#csv-link').getAttribute('href'), /format=csv.*number=2005550100|number=2005550100.*format=csv/);
  await shot('6-record');
  // Its ladder: the SIP dialogue and the Q.931 one side by side.
  await record.locator('text=ladder').click();
  const ladder = page.locator('#ladder-body');
  await ladder.locator('.sip .label', { hasText: 'INVITE' }).waitFor();
  const labels = await ladder.locator('.label').allInnerTexts();
  for (const expected of ['INVITE', '200 OK', 'ACK', 'BYE', 'SETUP', 'CALL PROCEEDING', 'CONNECT',
    'DISCONNECT', 'RELEASE', 'RELEASE COMPLETE']) {
    assert.ok(labels.includes(expected), `${expected} in ${labels.join(', ')}`);
  }
  // The operator's hang-up: DISCONNECT to the PSTN and BYE to the caller, after the CONNECT.
  assert.ok(labels.indexOf('CONNECT') < labels.indexOf('DISCONNECT'));
  assert.ok(labels.indexOf('INVITE') < labels.indexOf('SETUP'));
  await ladder.locator('.q931 .label', { hasText: /^SETUP$/ }).click();
  const detail = await page.locator('#ladder-detail').innerText();
  assert.match(detail, /^SETUP \(sent, span5\)/);
  assert.match(detail, /Message Type: SETUP \(5\)/, 'libpri\'s decode of the message');
  assert.match(await page.locator('#ladder-pcap').getAttribute('href'), /^\/api\/calls\/pcap\?call_id=/);
  await shot('7-ladder');
  await page.click('#ladder-close');
});

test('a B-channel taken out of service from the page is shown so, and comes back', async () => {
  await page.click('nav button[data-tab=overview]');
  await page.locator('#spans [data-span="span1"] .ch[data-timeslot="3"]').click();
  await page.locator('#spans [data-span="span1"] .ch.out-of-service[data-timeslot="3"]').waitFor();
  await page.locator('#spans [data-span="span1"] .ch[data-timeslot="3"]').click();
  await page.locator('#spans [data-span="span1"] .ch.idle[data-timeslot="3"]').waitFor();
});

// An operator who narrowed the trust list sees a forgotten peer's refused
// request on the overview and trusts it from there; an account is added with
// a password that the page never shows again.
test('trust and accounts: a refused source is trusted from the overview', async () => {
  await page.click('nav button[data-tab=security]');
  const form = page.locator('#trust-form');
  await form.locator('[name=peers]').fill('127.0.0.1');
  await form.locator('[name=untrusted]').selectOption('reject');
  await form.locator('button[type=submit]').click();
  await page.locator('#banner', { hasText: 'Saved and applied' }).waitFor();
  await page.click('text=Add account');
  await fill({ name: 'pbx9' });
  await page.click('#editor-save');
  await page.locator('#editor-error', { hasText: 'an account needs a password' }).waitFor();
  await fill({ password: 'battery staple' });
  await page.click('#editor-save');
  await page.locator('#accounts-table tr[data-name=pbx9]').waitFor();
  assert.equal((await page.content()).includes('battery staple'), false);
  await shot('8-trust-and-accounts');

  // 127.0.0.9 is not trusted now: its OPTIONS is refused 403 and listed.
  const probe = dgram.createSocket('udp4');
  await new Promise((resolve) => probe.bind(0, '127.0.0.9', resolve));
  const answer = new Promise((resolve) => probe.once('message', (message) => resolve(message.toString())));
  const port = probe.address().port;
  probe.send(['OPTIONS sip:127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.9:${port};branch=z9hG4bK-page-1`,
    'Max-Forwards: 70', 'From: <sip:probe@127.0.0.9>;tag=1', 'To: <sip:127.0.0.1>',
    'Call-ID: page-probe-1', 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n'),
  gateway.sipPort, '127.0.0.1');
  assert.match(await answer, /^SIP\/2\.0 403/);
  probe.close();
  await page.click('nav button[data-tab=overview]');
  const row = page.locator('#untrusted tr[data-source="127.0.0.9"]');
  await row.waitFor({ timeout: 10000 });
  await row.locator('text=trust').click();
  await page.locator('#banner', { hasText: '127.0.0.9 is trusted now' }).waitFor();
  await page.locator('#trust', { hasText: '127.0.0.9' }).waitFor({ timeout: 10000 });
  await row.locator('text=trusted now').waitFor();
  await shot('9-source-trusted');

  // The demo's trust again, for whatever runs next.
  await page.click('nav button[data-tab=security]');
  await form.locator('[name=peers]').fill('127.0.0.0/8');
  await form.locator('button[type=submit]').click();
  await page.locator('#banner', { hasText: 'Saved and applied' }).waitFor();
});
