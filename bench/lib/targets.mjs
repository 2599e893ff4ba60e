// The systems under test for B1 and B2, set up the same way for each: trivial model instances, then
// the same instances behind Switchyard's gateway and behind nginx, so that every row of a table hits
// the very same processes.
import { join } from 'node:path';
import { start, waitHttp } from './procs.mjs';
import { repoRoot } from './paths.mjs';
import { freePort } from './ports.mjs';
import { writeYamlFiles, trivialDeployment } from './switchyard.mjs';

/** A trivial instance we start ourselves (peer-only mode, before Switchyard can run). */
export async function startTrivial({ name, delayMs = 0, cpus, logDir }) {
  const port = await freePort();
  const child = start(`trivial ${name}`, process.execPath, [join(repoRoot, 'bench', 'peers', 'trivial-server.mjs')], {
    env: { PORT: String(port), DELAY_MS: String(delayMs), MODEL_NAME: name }, cpus, log: logDir && join(logDir, `trivial-${name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(url + '/', { child });
  return { name, url, child };
}

/** "127.0.0.1:PORT" of an instance URL, for an nginx upstream block. */
export const hostPort = (url) => new URL(url).host;

/**
 * Create endpoint `endpoint` with one trivial deployment per entry of `deployments`
 * ([{name, delayMs}]), set its traffic and mirror, and wait until the gateway answers 200.
 * Tries the custom-container form first (the very trivial-server.mjs of the peer rows); falls back to
 * the Node scoring host when the runtime refuses it. Resolves {key, scoringUrl, kind, instances: {name: [url]}, pids: {name: [pid]}}.
 */
export async function deployTrivialEndpoint(sy, endpoint, deployments, { traffic, mirror, log = () => {} }) {
  const files = writeYamlFiles({ endpoint: { name: endpoint, auth_mode: 'key' } });
  await sy.cli(['online-endpoint', 'create', '-n', endpoint, '-f', files.endpoint]);
  let kind = 'container';
  const instances = {}, pids = {};
  for (const d of deployments) {
    const create = (k) => {
      const f = writeYamlFiles({ [d.name]: trivialDeployment({ name: d.name, endpoint, kind: k, delayMs: d.delayMs ?? 0 }) });
      return sy.cli(['online-deployment', 'create', '-n', d.name, '-e', endpoint, '-f', f[d.name]], { allowFail: true, timeoutMs: 90000 });
    };
    let r = await create(kind);
    if (r.code !== 0 && kind === 'container') {
      log(`custom-container deployment refused (${(r.stderr || r.stdout).trim().split('\n').at(-1)}); using the Node scoring host`);
      kind = 'node-host';
      await sy.cli(['online-deployment', 'delete', '-n', d.name, '-e', endpoint, '--yes'], { allowFail: true });
      r = await create(kind);
    }
    if (r.code !== 0) throw new Error(`online-deployment create ${d.name} failed: ${(r.stderr || r.stdout).slice(0, 1500)}`);
    instances[d.name] = await sy.instanceUrls(endpoint, d.name);
    pids[d.name] = await sy.instancePids(endpoint, d.name);
    if (!instances[d.name].length) throw new Error(`deployment ${d.name} reports no ready instance URL in online-deployment show`);
  }
  const args = ['online-endpoint', 'update', '-n', endpoint, '--traffic', Object.entries(traffic).map(([k, v]) => `${k}=${v}`).join(' ')];
  if (mirror) args.push('--mirror-traffic', Object.entries(mirror).map(([k, v]) => `${k}=${v}`).join(' '));
  await sy.cli(args);
  const key = await sy.key(endpoint);
  const scoringUrl = sy.scoringUrl(endpoint);
  await waitScoring(scoringUrl, key);
  return { key, scoringUrl, kind, instances, pids };
}

/** Wait until the gateway's snapshot routes the endpoint (200 to an authenticated POST). */
export async function waitScoring(url, key, { timeoutMs = 15000, body = '{"data":[[1]]}' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.status === 200) return;
    } catch (e) { last = e.cause?.code ?? e.message; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}
