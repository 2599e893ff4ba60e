// Drives a real Switchyard the way a user does: `switchyard serve` on ephemeral ports with its own
// data directory, then the `switchyard` CLI (az ml grammar) for endpoints and deployments. Nothing
// here reaches into Switchyard's internals, so the benchmarks measure what users get.
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify as toYaml } from 'yaml';
import { start, stop, run } from './procs.mjs';
import { repoRoot } from './paths.mjs';

const bin = join(repoRoot, 'bin', 'switchyard');

/** Why Switchyard (or, with `gatewayOnly`, its gateway alone) cannot run yet, or null when it can. */
export function unavailableReason({ peerOnly = false, gatewayOnly = false } = {}) {
  if (peerOnly) return 'peer-only run (--peer-only)';
  const need = gatewayOnly ? ['gateway/host.js'] : ['cli/main.js', 'gateway/host.js'];
  const missing = need.filter((p) => !existsSync(join(repoRoot, 'dist', p)));
  return missing.length ? `dist/${missing[0]} missing: Switchyard is not built (npm install / npx tsc -p .)` : null;
}

/**
 * Start `switchyard serve` (optionally pinned to `cpus`, optionally under `node --cpu-prof`).
 * Resolves {controlUrl, gatewayUrl, token, dataDir, cli(), stop()}.
 */
export async function startSwitchyard({ cpus, profileDir, logFile, env } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-data-'));
  scratch.push(dataDir);
  const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  let listening;
  const ready = new Promise((resolve) => { listening = resolve; });
  const child = start('switchyard serve', process.execPath,
    [...nodeFlags, bin, 'serve', '--port', '0', '--gateway-port', '0', '--data-dir', dataDir],
    {
      cpus, log: logFile, cwd: repoRoot, env,
      onStdout: (line) => { try { const ev = JSON.parse(line); if (ev.event === 'listening') listening(ev); } catch { /* not an event */ } },
    });
  const ev = await Promise.race([
    ready,
    child.exited.then((c) => { throw new Error(`switchyard serve exited (${c}) before listening; see ${logFile}`); }),
    sleep(30000).then(() => { throw new Error('switchyard serve did not print its listening event within 30 s'); }),
  ]);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const cliEnv = { SWITCHYARD_URL: ev.controlUrl, SWITCHYARD_TOKEN: token };
  const sy = {
    child, dataDir, controlUrl: ev.controlUrl, gatewayUrl: ev.gatewayUrl, token, cliEnv,
    /** Run the CLI; resolves {code, stdout, stderr, ms, json}. Throws on a non-zero exit unless `allowFail`. */
    async cli(args, { timeoutMs = 60000, allowFail = false } = {}) {
      const r = await run(process.execPath, [bin, ...args], { env: cliEnv, cwd: repoRoot, timeoutMs });
      if (r.code !== 0 && !allowFail) throw new Error(`switchyard ${args.join(' ')} failed (${r.code}): ${(r.stderr || r.stdout).slice(0, 1500)}`);
      try { r.json = JSON.parse(r.stdout); } catch { r.json = undefined; }
      return r;
    },
    async key(endpoint) {
      const r = await sy.cli(['online-endpoint', 'get-credentials', '-n', endpoint, '-o', 'tsv', '--query', 'primaryKey']);
      return r.stdout.trim();
    },
    /** URLs of the deployment's ready instances, as `online-deployment show` reports them. */
    async instanceUrls(endpoint, deployment) {
      const r = await sy.cli(['online-deployment', 'show', '-n', deployment, '-e', endpoint]);
      return (r.json?.instances ?? []).filter((i) => i.url && /ready|running|healthy/i.test(i.state ?? 'ready')).map((i) => i.url);
    },
    /**
     * The secret each instance wants from a caller standing in for the gateway (the header
     * x-switchyard-instance-secret; docs/security.md), by URL, read from the instance dir (we are root).
     */
    async instanceSecrets(endpoint, deployment) {
      const r = await sy.cli(['online-deployment', 'show', '-n', deployment, '-e', endpoint]);
      const out = {};
      for (const i of r.json?.instances ?? []) {
        if (!i.url) continue;
        try { out[i.url] = readFileSync(join(dataDir, 'deployments', endpoint, deployment, '.run', i.name, 'secret'), 'utf8').trim(); } catch { /* none */ }
      }
      return out;
    },
    async instancePids(endpoint, deployment) {
      const r = await sy.cli(['online-deployment', 'show', '-n', deployment, '-e', endpoint], { allowFail: true });
      return (r.json?.instances ?? []).map((i) => i.pid).filter(Boolean);
    },
    scoringUrl: (endpoint) => `${ev.gatewayUrl.replace(/\/$/, '')}/endpoints/${endpoint}/score`,
    /**
     * `knownPids`: the instances' pids when the caller has them (else they are listed through the CLI);
     * `graceMs`: how long the server may take to stop before it is killed.
     */
    async stop({ knownPids, graceMs = 10000 } = {}) {
      // The server should stop its instances itself; remember their pids so that any it leaves
      // behind (a bug worth reporting) are still ended: they are processes this benchmark caused.
      const pids = [...(knownPids ?? [])];
      if (!knownPids) {
        const eps = await sy.cli(['online-endpoint', 'list'], { allowFail: true, timeoutMs: 10000 });
        for (const e of Array.isArray(eps.json) ? eps.json : eps.json?.value ?? []) {
          const ds = await sy.cli(['online-deployment', 'list', '-e', e.name], { allowFail: true, timeoutMs: 10000 });
          for (const d of Array.isArray(ds.json) ? ds.json : ds.json?.value ?? []) for (const i of d.instances ?? []) if (i.pid) pids.push(i.pid);
        }
      }
      const s0 = Date.now();
      await stop(child, { graceMs });
      sy.stopSeconds = (Date.now() - s0) / 1000;
      for (const pid of pids) {
        try { process.kill(pid, 0); sy.leftovers = (sy.leftovers ?? 0) + 1; process.kill(pid, 'SIGKILL'); } catch { /* gone, as it should be */ }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return sy;
}

/**
 * The gateway alone (bench/peers/gateway-standalone.mjs) in front of instances we started; for
 * measuring and profiling the data path before/without the control plane and runtime.
 */
export async function startStandaloneGateway(spec, { cpus, profileDir, logFile } = {}) {
  const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  let listening;
  const ready = new Promise((resolve) => { listening = resolve; });
  const child = start('gateway-standalone', process.execPath, [...nodeFlags, join(repoRoot, 'bench', 'peers', 'gateway-standalone.mjs'), JSON.stringify(spec)], {
    cpus, log: logFile, cwd: repoRoot,
    onStdout: (line) => { try { const ev = JSON.parse(line); if (ev.event === 'listening') listening(ev); } catch { /* not an event */ } },
  });
  const ev = await Promise.race([
    ready,
    child.exited.then((c) => { throw new Error(`gateway-standalone exited (${c}); see ${logFile}`); }),
    sleep(15000).then(() => { throw new Error('gateway-standalone did not start within 15 s'); }),
  ]);
  return { child, gatewayUrl: ev.gatewayUrl, stop: () => stop(child, { graceMs: 5000 }) };
}

// Temporary folders of this run (YAML files, data dirs of servers that failed to start): removed at exit.
const scratch = [];
process.on('exit', () => { for (const d of scratch) rmSync(d, { recursive: true, force: true }); });

/** Write YAML files for the CLI into a temporary folder; returns their paths by name. */
export function writeYamlFiles(files) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-yaml-'));
  scratch.push(dir);
  const out = {};
  for (const [name, doc] of Object.entries(files)) {
    const p = join(dir, `${name}.yml`);
    writeFileSync(p, toYaml(doc));
    out[name] = p;
  }
  return out;
}

/**
 * A deployment of the trivial model. kind 'container': bench/peers/trivial-server.mjs as a custom
 * container (PORT from the runtime); kind 'node-host': bench/peers/trivial-model/score.mjs run by
 * Switchyard's Node scoring host. Concurrency is raised so the 429 bound (2 × max_concurrent ×
 * instances) never trips under the benchmark's connection counts: we measure speed, not shedding.
 */
export function trivialDeployment({ name, endpoint, kind = 'container', delayMs = 0, instances = 1, maxConcurrent = 128 }) {
  const common = {
    name, endpoint_name: endpoint, instance_type: 'Standard_DS3_v2', instance_count: instances,
    environment_variables: { DELAY_MS: String(delayMs), MODEL_NAME: name },
    request_settings: { max_concurrent_requests_per_instance: maxConcurrent, request_timeout_ms: 10000 },
  };
  if (kind === 'container') {
    return {
      ...common,
      environment: {
        command: [process.execPath, join(repoRoot, 'bench', 'peers', 'trivial-server.mjs')],
        inference_config: { liveness_route: { path: '/' }, readiness_route: { path: '/' }, scoring_route: { path: '/score' } },
      },
    };
  }
  return {
    ...common,
    code_configuration: { code: join(repoRoot, 'bench', 'peers', 'trivial-model'), scoring_script: 'score.mjs' },
    environment: { image: 'node:20-bookworm-slim' },
  };
}

/** The tutorial's sklearn deployment (examples/safe-rollout model-1), as its blue-deployment.yml. */
export function sklearnDeployment({ name, endpoint, instances = 1, maxConcurrent }) {
  const m = join(repoRoot, 'examples', 'safe-rollout', 'endpoints', 'online', 'model-1');
  const d = {
    name, endpoint_name: endpoint,
    model: { path: join(m, 'model') },
    code_configuration: { code: join(m, 'onlinescoring'), scoring_script: 'score.py' },
    environment: {
      conda_file: join(m, 'environment', 'conda.yaml'),
      image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest',
      // The first python3 on PATH here has no scikit-learn; Debian's has (scripts/system-deps.sh).
      interpreter: '/usr/bin/python3',
    },
    instance_type: 'Standard_DS3_v2',
    instance_count: instances,
  };
  if (maxConcurrent) d.request_settings = { max_concurrent_requests_per_instance: maxConcurrent };
  return d;
}

export const sklearnModelDir = () => join(repoRoot, 'examples', 'safe-rollout', 'endpoints', 'online', 'model-1');
