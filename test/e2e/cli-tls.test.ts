// TLS as a user sets it up: `switchyard serve --tls-cert --tls-key` with a throwaway self-signed
// certificate made by openssl at test time; both listeners answer HTTPS (and nothing in clear text),
// `show` gives https scoring URIs, the CLI trusts the certificate through SWITCHYARD_CA_FILE and says
// what to do without it, and a non-loopback bind without TLS is refused unless --insecure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startServer, sy, tmp, type Server } from './cli-harness.js';
import { isLoopbackHost, loadTransportSecurity } from '../../src/server/transport-security.js';

let dir: string;
let cert: string;
let key: string;
let server: Server;

function selfSigned(name: string): { cert: string; key: string } {
  const c = join(dir, `${name}.pem`);
  const k = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', k, '-out', c], { stdio: 'ignore' });
  return { cert: c, key: k };
}

before(async () => {
  dir = tmp('sy-tls-');
  ({ cert, key } = selfSigned('server'));
  server = await startServer({ args: ['--tls-cert', cert, '--tls-key', key] });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const trusted = (...args: string[]) => sy(server, args, { env: { SWITCHYARD_CA_FILE: cert } });

/** POST over HTTPS trusting only our certificate. */
function scoreTls(url: string, credential: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca: readFileSync(cert), headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

/** What a plain-HTTP request to a TLS port gets back (a TLS alert or a close, never an HTTP answer). */
function plainHttp(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.end('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n'));
    let got = '';
    socket.on('data', (c) => { got += c.toString('latin1'); });
    socket.on('close', () => resolve(got));
    socket.on('error', () => resolve(got));
  });
}

describe('serve --tls-cert --tls-key', () => {
  it('both listeners answer HTTPS only', async () => {
    assert.match(server.controlUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.gatewayUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(!(await plainHttp(server.controlUrl)).startsWith('HTTP/1.1 200'), 'no clear-text answer from the control plane');
    assert.ok(!(await plainHttp(server.gatewayUrl)).includes('Healthy'), 'no clear-text answer from the gateway');
  });

  it('the CLI works with SWITCHYARD_CA_FILE; show gives an HTTPS scoring URI that answers', async () => {
    const created = await trusted('online-endpoint', 'create', '--name', 'tls-ep');
    assert.equal(created.code, 0, created.stderr);
    const uri = (await trusted('online-endpoint', 'show', '-n', 'tls-ep', '-o', 'tsv', '--query', 'scoring_uri')).stdout.trim();
    assert.equal(uri, `${server.gatewayUrl}/endpoints/tls-ep/score`);
    const keyOut = await trusted('online-endpoint', 'get-credentials', '-n', 'tls-ep', '-o', 'tsv', '--query', 'primaryKey');
    assert.equal(keyOut.code, 0, keyOut.stderr);
    // No deployment yet: the gateway authenticated the key over TLS and answers 404 (no traffic).
    assert.equal(await scoreTls(uri, keyOut.stdout.trim()), 404);
    assert.equal(await scoreTls(uri, 'wrong-key'), 401);
  });

  it('without the CA the CLI says how to trust the certificate', async () => {
    const r = await sy(server, ['online-endpoint', 'list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot verify the TLS certificate .*SWITCHYARD_CA_FILE/s);
  });
});

describe('binding beyond loopback', () => {
  it('serve --host 0.0.0.0 without TLS is refused before it listens', async () => {
    const r = await sy(server, ['serve', '--host', '0.0.0.0', '--port', '0', '--gateway-port', '0', '--data-dir', join(dir, 'refused')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Refusing to listen on 0\.0\.0\.0 without TLS.*--insecure/s);
  });

  it('decides by the address: loopback is fine, anything else needs TLS or --insecure; cert and key must match', async () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '::ffff:10.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
    assert.equal(await loadTransportSecurity('127.0.0.1', {}), undefined);
    assert.equal(await loadTransportSecurity('0.0.0.0', { insecure: true }), undefined);
    await assert.rejects(loadTransportSecurity('0.0.0.0', {}), /Refusing to listen/);
    assert.ok(await loadTransportSecurity('0.0.0.0', { tlsCert: cert, tlsKey: key }));
    await assert.rejects(loadTransportSecurity('127.0.0.1', { tlsCert: cert }), /both --tls-cert and --tls-key/);
    const other = selfSigned('other');
    await assert.rejects(loadTransportSecurity('127.0.0.1', { tlsCert: cert, tlsKey: other.key }), /does not belong to the certificate/);
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
    await assert.rejects(loadTransportSecurity('127.0.0.1', { tlsCert: join(dir, 'junk.pem'), tlsKey: key }), /not a PEM certificate/);
  });
});
