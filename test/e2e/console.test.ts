// The web console in real Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
// real server (`switchyard serve`) with real instances of the JavaScript green model: sign in, the
// endpoints list, an endpoint's deployments and traffic, the traffic editor (a refused split sends
// nothing; 90/10 is checked through the REST API), the Test tab, logs, live charts, the Audit page, a
// Reader's view, a refused token, and the Comparison tab of a mirrored shadow. Writes the screenshots of docs/console.md into docs/console/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, startServer, sy, type Server } from './cli-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'docs', 'console');
const MODEL = join(ROOT, 'examples', 'safe-rollout', 'endpoints', 'online', 'model-2-js');
const SAMPLE = readFileSync(join(MODEL, 'sample-request.json'), 'utf8');
const E = 'console-ep';

let server: Server;
let browser: Browser;
let admin: Page;
let adminToken: string;
let readerToken: string;
/** Messages the browser logged as errors (a CSP violation would be one). */
const consoleErrors: string[] = [];

const ok = (r: { code: number; stderr: string }, what: string) => assert.equal(r.code, 0, `${what}: ${r.stderr}`);

async function rest(path: string, init: RequestInit = {}) {
  const res = await fetch(server.controlUrl + path, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers } });
  return { status: res.status, body: await res.json() as any };
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => { consoleErrors.push(`page error: ${e.message}`); });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  return page;
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${server.controlUrl}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/system-deps.sh chromium`);
  assert.ok(existsSync(join(ROOT, 'dist', 'console', 'index.html')), 'dist/console is missing: run npm run build');
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  adminToken = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  // The JavaScript green model twice (fast to start), with probes that do not wait.
  const yml = (name: string) => {
    const file = join(server.home, `${name}.yml`);
    writeFileSync(file, `name: ${name}\nendpoint_name: ${E}\nmodel:\n  path: ${join(MODEL, 'model')}\ncode_configuration:\n  code: ${join(MODEL, 'onlinescoring')}\n  scoring_script: score.mjs\n`
      + 'environment:\n  image: node:20-bookworm-slim\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n'
      + 'liveness_probe: {initial_delay: 0, period: 1, timeout: 2, failure_threshold: 30}\nreadiness_probe: {initial_delay: 0, period: 1, timeout: 2, failure_threshold: 60}\n');
    return file;
  };
  ok(await sy(server, ['online-endpoint', 'create', '-n', E, '--set', 'description=Console test endpoint', '-o', 'none']), 'endpoint create');
  ok(await sy(server, ['online-deployment', 'create', '--name', 'blue', '--endpoint', E, '-f', yml('blue'), '--all-traffic', '-o', 'none']), 'blue create');
  ok(await sy(server, ['online-deployment', 'create', '--name', 'green', '--endpoint', E, '-f', yml('green'), '-o', 'none']), 'green create');
  const reader = await sy(server, ['token', 'create', '--name', 'rita', '--role', 'Reader', '-o', 'tsv', '--query', 'token']);
  ok(reader, 'token create');
  readerToken = reader.stdout.trim();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  admin = await newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('web console', () => {
  it('refuses a wrong token and keeps nothing of it', async () => {
    const page = await newPage();
    await page.goto(`${server.controlUrl}/`);
    await shot(page, 'sign-in');
    await page.getByLabel('Token').fill('syt_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused this token' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.equal(await page.getByRole('link', { name: 'Endpoints' }).count(), 0);
    await page.context().close();
  });

  it('signs in with the admin token, kept in sessionStorage and never in the URL', async () => {
    await signIn(admin, adminToken);
    await admin.getByTestId('principal').filter({ hasText: 'admin' }).waitFor();
    assert.equal(await admin.getByTestId('role').textContent(), 'Owner');
    assert.equal(await admin.evaluate(() => sessionStorage.getItem('switchyard.console.token')), adminToken);
    assert.ok(!admin.url().includes(adminToken));
  });

  it('lists endpoints with state, auth mode, traffic, deployments and age', async () => {
    const row = admin.locator(`tr[data-endpoint="${E}"]`);
    await row.waitFor();
    const text = await row.innerText();
    for (const part of ['Succeeded', 'key', 'blue 100%', 'blue, green', 'ago']) assert.ok(text.includes(part), `row shows ${part}: ${text}`);
    assert.equal(await admin.getByRole('button', { name: 'Create endpoint' }).count(), 1);
    await shot(admin, 'endpoints');
  });

  it('shows an endpoint with its URIs, deployments, instances and traffic', async () => {
    await admin.getByRole('link', { name: E, exact: true }).click();
    await admin.getByRole('heading', { name: 'Deployments' }).waitFor();
    const uri = await admin.getByTestId('scoring-uri').textContent();
    assert.equal(uri, `${server.gatewayUrl}/endpoints/${E}/score`);
    for (const d of ['blue', 'green']) {
      const group = admin.locator(`.deployments-table tbody[data-deployment="${d}"]`);
      await group.locator('.pill', { hasText: 'Succeeded' }).waitFor();
      await group.locator(`tr[data-instance="${d}-0"] .pill`, { hasText: 'Ready' }).waitFor();
      assert.ok((await group.innerText()).includes('Standard_DS3_v2'));
    }
    assert.equal(await admin.getByLabel('Live traffic for blue (percent)').inputValue(), '100');
    assert.equal(await admin.getByLabel('Live traffic for green (percent)').inputValue(), '0');
    await admin.getByRole('button', { name: 'Show keys' }).click();
    const primary = await admin.getByTestId('primary-key').textContent();
    const keys = await rest(`/api/v1/endpoints/${E}/list-keys`, { method: 'POST' });
    assert.equal(primary, keys.body.primaryKey);
    // Regenerate the secondary key: confirmed in a dialog, the new key shown is the server's.
    await admin.getByRole('button', { name: 'Regenerate' }).nth(1).click();
    await admin.getByRole('button', { name: 'Regenerate key' }).click();
    await admin.getByTestId('secondary-key').filter({ hasNotText: keys.body.secondaryKey }).waitFor();
    const after = (await rest(`/api/v1/endpoints/${E}/list-keys`, { method: 'POST' })).body;
    assert.equal(await admin.getByTestId('secondary-key').textContent(), after.secondaryKey);
    assert.equal(after.primaryKey, keys.body.primaryKey);
    await admin.reload();
    await admin.getByRole('heading', { name: 'Deployments' }).waitFor();
    await shot(admin, 'endpoint');
  });

  it('refuses an invalid split in the page, before anything is sent', async () => {
    const patches: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => { if (r.method() !== 'GET') patches.push(`${r.method()} ${r.url()}`); };
    admin.on('request', onRequest);
    await admin.getByLabel('Live traffic for blue (percent)').fill('80');
    await admin.getByTestId('traffic-errors').filter({ hasText: 'must add up to 0 or 100' }).waitFor();
    assert.equal(await admin.getByTestId('live-total').textContent(), '80%');
    await admin.getByLabel('Mirror traffic for green (percent)').fill('60');
    await admin.getByTestId('traffic-errors').filter({ hasText: 'at most 50 percent' }).waitFor();
    const update = admin.getByRole('button', { name: 'Update traffic' });
    assert.equal(await update.isDisabled(), true);
    await admin.getByLabel('Live traffic for blue (percent)').press('Enter'); // submitting the form anyway
    await admin.getByLabel('Mirror traffic for green (percent)').fill('0');
    await admin.getByLabel('Live traffic for blue (percent)').fill('100');
    await admin.getByText('No change to send.').waitFor();
    admin.off('request', onRequest);
    assert.deepEqual(patches, []);
    assert.deepEqual((await rest(`/api/v1/endpoints/${E}`)).body.traffic, { blue: 100, green: 0 });
  });

  it('changes traffic to 90/10 through the editor, showing the exact change first', async () => {
    await admin.getByLabel('Live traffic for blue (percent)').fill('90');
    await admin.getByLabel('Live traffic for green (percent)').fill('10');
    const preview = await admin.getByTestId('traffic-patch').textContent();
    assert.equal(preview, `PATCH /api/v1/endpoints/${E}\n${JSON.stringify({ traffic: { blue: 90, green: 10 } }, null, 2)}`);
    const sent = admin.waitForRequest((r) => r.method() === 'PATCH');
    await admin.getByRole('button', { name: 'Update traffic' }).click();
    assert.deepEqual((await sent).postDataJSON(), { traffic: { blue: 90, green: 10 } });
    await admin.getByRole('status').filter({ hasText: 'Traffic updated' }).waitFor();
    assert.deepEqual((await rest(`/api/v1/endpoints/${E}`)).body.traffic, { blue: 90, green: 10 });
  });

  it('tests a deployment from the Test tab and shows the model\'s answer', async () => {
    await admin.getByRole('link', { name: 'Test' }).click();
    const send = admin.getByRole('button', { name: 'Test', exact: true });
    await send.click();
    await admin.getByRole('alert').filter({ hasText: 'Choose a deployment' }).waitFor();
    await admin.getByLabel('Deployment').selectOption('green');
    await admin.getByRole('button', { name: 'Load sample' }).click();
    await admin.getByRole('status').filter({ hasText: 'paste a request' }).waitFor(); // the JS model publishes no swagger
    await admin.getByLabel('Request body (JSON)').fill(SAMPLE);
    await send.click();
    const body = await admin.getByTestId('answer-body').textContent();
    // What the gateway answers a client for the same request, with the key, routed to green.
    const keys = (await rest(`/api/v1/endpoints/${E}/list-keys`, { method: 'POST' })).body;
    const direct = await fetch(`${server.gatewayUrl}/endpoints/${E}/score`, {
      method: 'POST', body: SAMPLE, headers: { authorization: `Bearer ${keys.primaryKey}`, 'content-type': 'application/json', 'azureml-model-deployment': 'green' },
    });
    assert.equal(direct.status, 200);
    const expected = await direct.json();
    assert.ok(Array.isArray(expected) && expected.length === 2);
    assert.deepEqual(JSON.parse(body!), expected);
    const answer = await admin.getByTestId('test-answer').innerText();
    assert.ok(answer.includes('200') && answer.includes('Served by green'), answer);
    assert.match(await admin.getByTestId('latency').textContent() ?? '', /^\d+\.\d ms$/);
    await shot(admin, 'test');
  });

  it('shows an instance\'s log lines', async () => {
    await admin.getByRole('link', { name: 'Logs' }).click();
    await admin.getByLabel('Deployment').selectOption('green');
    await admin.getByLabel('Instance').selectOption('green-0');
    await admin.getByTestId('log').filter({ hasText: 'model 2 (js): request received' }).waitFor();
    const text = await admin.getByTestId('log').textContent();
    assert.ok(text!.includes('Init complete'), text!);
    assert.ok(!text!.includes('[green-0]'), 'per-instance view strips the instance prefix');
    await shot(admin, 'logs');
  });

  it('charts requests per second, latency and ready instances after traffic', async () => {
    await admin.getByRole('link', { name: 'Monitoring' }).click();
    const keys = (await rest(`/api/v1/endpoints/${E}/list-keys`, { method: 'POST' })).body;
    const blue2xx = admin.locator('[data-chart="m-blue-rps"] li[data-series="2xx"]');
    // One client sending requests one after another (bounded: 25 s, 3000 requests) until the chart has
    // drawn a non-zero rate over a few samples.
    let stop = false;
    const load = (async () => {
      const deadline = Date.now() + 25_000;
      for (let i = 0; i < 3000 && !stop && Date.now() < deadline; i++) {
        const r = await fetch(`${server.gatewayUrl}/endpoints/${E}/score`, {
          method: 'POST', body: SAMPLE, headers: { authorization: `Bearer ${keys.primaryKey}`, 'content-type': 'application/json', 'azureml-model-deployment': 'blue' },
        });
        await r.arrayBuffer();
      }
    })();
    try {
      // A non-zero rate over at least two rates (so the screenshot shows lines, not a dot).
      await admin.waitForFunction(() => {
        const chart = document.querySelector('[data-chart="m-blue-rps"]');
        const li = chart?.querySelector('li[data-series="2xx"]');
        return Number(chart?.getAttribute('data-points') || 0) >= 3 && Number(li?.getAttribute('data-latest') || 0) > 0;
      }, undefined, { timeout: 25_000, polling: 250 }).catch(async (e) => {
        throw new Error(`${e}: ${await admin.locator('[data-chart="m-blue-rps"]').evaluate((el) => el.outerHTML.slice(0, 1500))}`);
      });
    } finally {
      stop = true;
      await load;
    }
    assert.ok(Number(await blue2xx.getAttribute('data-peak')) > 0);
    assert.ok(Number(await admin.locator('[data-chart="m-blue-lat"] li[data-series="p50"]').getAttribute('data-latest')) > 0);
    assert.equal(Number(await admin.locator('[data-chart="m-blue-ready"] li[data-series="ready"]').getAttribute('data-latest')), 1);
    assert.equal(await admin.locator('[data-chart="m-blue-rps"] canvas').count(), 1);
    await shot(admin, 'monitoring');
  });

  it('shows the audit log to an Owner', async () => {
    await admin.getByRole('link', { name: 'Audit' }).click();
    const table = admin.getByRole('table', { name: 'Audit log' });
    await table.getByText('onlineEndpoints/score/action').first().waitFor();
    const text = await table.innerText();
    for (const part of ['onlineEndpoints/write', `endpoints/${E}`, 'onlineEndpoints/listKeys/action', 'admin']) assert.ok(text.includes(part), part);
    // The wrong token of the first test, counted apart by the server.
    await admin.getByTestId('denied').getByText('invalid-token').waitFor();
    await shot(admin, 'audit');
  });

  it('shows a Reader no key, no logs and no edit controls', async () => {
    const page = await newPage();
    await signIn(page, readerToken);
    await page.getByTestId('role').filter({ hasText: 'Reader' }).waitFor();
    await page.locator(`tr[data-endpoint="${E}"]`).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create endpoint' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Delete/ }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Audit' }).count(), 0);
    await page.getByRole('link', { name: E, exact: true }).click();
    await page.getByRole('heading', { name: 'Deployments' }).waitFor();
    assert.equal(await page.getByTestId('live-blue').textContent(), '90%');
    assert.equal(await page.getByRole('textbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Show keys|Regenerate|Update traffic/ }).count(), 0);
    await page.getByText('cannot see this endpoint\'s keys').waitFor();
    await shot(page, 'reader-endpoint');
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByText('cannot read logs').waitFor();
    assert.equal(await page.getByTestId('log').count(), 0);
    await page.getByRole('link', { name: 'Test' }).click();
    await page.getByText('cannot call this endpoint').waitFor();
    await page.context().close();
  });

  it('compares a mirrored shadow\'s answers with the live ones on the Comparison tab', async () => {
    const patched = await rest(`/api/v1/endpoints/${E}`, { method: 'PATCH', body: JSON.stringify({ traffic: { blue: 100, green: 0 }, mirror_traffic: { green: 50 } }) });
    assert.equal(patched.status, 202, JSON.stringify(patched.body));
    await admin.getByRole('link', { name: 'Endpoints' }).click();
    await admin.getByRole('link', { name: E, exact: true }).click();
    await admin.getByRole('link', { name: 'Comparison' }).click();
    const keys = (await rest(`/api/v1/endpoints/${E}/list-keys`, { method: 'POST' })).body;
    const card = admin.locator('[data-shadow="green"]');
    // Live requests to blue, half of them copied to green (bounded: 25 s, 2000 requests).
    let stop = false;
    const load = (async () => {
      const deadline = Date.now() + 25_000;
      for (let i = 0; i < 2000 && !stop && Date.now() < deadline; i++) {
        const r = await fetch(`${server.gatewayUrl}/endpoints/${E}/score`, {
          method: 'POST', body: SAMPLE, headers: { authorization: `Bearer ${keys.primaryKey}`, 'content-type': 'application/json' },
        });
        await r.arrayBuffer();
      }
    })();
    try {
      await admin.waitForFunction(() => {
        const chart = document.querySelector('[data-chart="cmp-green-agree"]');
        const pairs = Number(document.querySelector('[data-shadow="green"] [data-testid="pairs"]')?.textContent || 0);
        return pairs > 0 && Number(chart?.getAttribute('data-points') || 0) >= 2;
      }, undefined, { timeout: 25_000, polling: 250 });
    } finally {
      stop = true;
      await load;
    }
    // Both deployments run the same model: every pair agrees.
    assert.equal(await card.getByTestId('agreement').textContent(), '100%');
    assert.ok((await card.innerText()).includes('mirror'));
    await shot(admin, 'comparison');
  });

  it('shows a rollout\'s steps and gates, and pauses and aborts it', async () => {
    const reset = await rest(`/api/v1/endpoints/${E}`, { method: 'PATCH', body: JSON.stringify({ traffic: { blue: 100, green: 0 }, mirror_traffic: {} }) });
    assert.equal(reset.status, 202, JSON.stringify(reset.body));
    const policy = { steps: [{ shadow: 20, duration: '1h' }, { traffic: 50, duration: '1h' }, { traffic: 100 }], interval: '1s', gates: { min_requests: 10 } };
    const started = await rest(`/api/v1/endpoints/${E}/rollout`, { method: 'POST', body: JSON.stringify({ candidate: 'green', policy }) });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    await admin.getByRole('link', { name: 'Rollout' }).click();
    await admin.getByRole('heading', { name: /Rollout of green/ }).waitFor();
    const steps = admin.getByRole('list', { name: 'Steps' });
    assert.deepEqual(await steps.locator('.step-label').allTextContents(), ['shadow 20% for 1h', 'traffic 50% for 1h', 'traffic 100%']);
    assert.equal(await steps.locator('[aria-current="step"] .step-label').textContent(), 'shadow 20% for 1h');
    await admin.getByTestId('gates').getByText('max_error_rate').waitFor(); // the first evaluation (interval 1s)
    const gates = await admin.getByTestId('gates').innerText();
    for (const gate of ['max_error_rate', 'max_latency_p99_ratio', 'min_requests']) assert.ok(gates.includes(gate), gates);
    await shot(admin, 'rollout');
    await admin.getByRole('button', { name: 'Pause' }).click();
    await admin.getByRole('button', { name: 'Resume' }).waitFor();
    assert.equal((await rest(`/api/v1/endpoints/${E}/rollout`)).body.status.state, 'Paused');
    await admin.getByRole('button', { name: 'Abort' }).click();
    await admin.getByRole('button', { name: 'Abort rollout' }).click();
    await admin.locator('#rollout-title .pill', { hasText: 'Aborted' }).waitFor();
    assert.equal((await rest(`/api/v1/endpoints/${E}/rollout`)).body.status.state, 'Aborted');
    assert.equal(await admin.getByRole('button', { name: /Pause|Resume|Promote|Abort/ }).count(), 0);
  });

  it('ran under its Content-Security-Policy without a violation or a script error', () => {
    // The wrong-token sign-in logs the refused request (401); nothing else may be logged as an error.
    const unexpected = consoleErrors.filter((m) => !/status of 401/.test(m));
    assert.deepEqual(unexpected, []);
  });
});
