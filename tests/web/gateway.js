// The real sipgw daemon for the web tests: started on its demo plan in a
// data directory of the test's own, on loopback ports derived from the
// test's pid (as the C++ system tests do), stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SIPGW = process.env.SIPGW_PATH;
export const SIPP_SCENARIOS = process.env.SIPP_SCENARIOS;

export class Gateway {
  constructor() {
    // The C++ system tests' scheme (a block of 40 ports per pid from 21000),
    // at the top of the block, where they put nothing; RTP below 21000.
    this.sipPort = 21000 + (process.pid % 200) * 40 + 33;
    this.httpPort = this.sipPort + 1;
    this.rtpLow = 20000 + (process.pid % 50) * 20;
    this.dir = mkdtempSync(path.join(tmpdir(), 'sipgw-web-'));
    this.log = '';
  }

  async start() {
    this.process = spawn(SIPGW, ['--demo', '--bind', '127.0.0.1', '--sip-port', String(this.sipPort),
      '--http-port', String(this.httpPort), '--sip-tls-port', '0', '--rtp-ports', `${this.rtpLow}-${this.rtpLow + 19}`,
      '--data-dir', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => { this.log += chunk.toString(); };
    this.process.stdout.on('data', collect);
    this.process.stderr.on('data', collect);
    const deadline = Date.now() + 20000;
    while (!this.log.includes('spans up, taking calls')) {
      if (Date.now() > deadline || this.process.exitCode !== null) {
        throw new Error(`sipgw did not start:\n${this.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.password = readFileSync(path.join(this.dir, 'initial-admin-password'), 'utf8').trim();
    this.url = `https://127.0.0.1:${this.httpPort}`;
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null) return this.process?.exitCode;
    const exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    this.process.kill('SIGTERM');
    const code = await exited;
    if (code === 0) rmSync(this.dir, { recursive: true, force: true });
    return code;
  }
}

// One HTTPS request to the gateway (its certificate is self-signed): the
// status, headers and body (parsed when JSON).
export function request(gateway, method, urlPath, { body, cookie, csrf, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined
      : typeof body === 'string' ? body : JSON.stringify(body);
    const all = { ...headers };
    if (payload !== undefined) {
      all['Content-Type'] = 'application/json';
      // Node sends a DELETE's body neither chunked nor with a length otherwise.
      all['Content-Length'] = Buffer.byteLength(payload);
    }
    if (cookie) all.Cookie = cookie;
    if (csrf) all['X-CSRF-Token'] = csrf;
    const outgoing = https.request({ host: '127.0.0.1', port: gateway.httpPort, path: urlPath, method,
      headers: all, rejectUnauthorized: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => {
        let parsed = text;
        if ((response.headers['content-type'] || '').startsWith('application/json')) parsed = JSON.parse(text);
        resolve({ status: response.statusCode, headers: response.headers, body: parsed });
      });
    });
    outgoing.on('error', reject);
    if (payload !== undefined) outgoing.write(payload);
    outgoing.end();
  });
}

// Logs in as admin: the cookie and the CSRF token.
export async function logIn(gateway, user = 'admin', password = gateway.password) {
  const answer = await request(gateway, 'POST', '/api/login', { body: { user, password } });
  if (answer.status !== 200) throw new Error(`log-in: ${answer.status} ${JSON.stringify(answer.body)}`);
  const cookie = answer.headers['set-cookie'][0].split(';')[0];
  return { cookie, csrf: answer.body.csrf, setCookie: answer.headers['set-cookie'][0] };
}
