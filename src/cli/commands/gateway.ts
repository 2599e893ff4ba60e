// `switchyard gateway --control-plane URL[,URL...] --port P`: a standalone gateway fed routing snapshots
// by the control plane(s), and `switchyard gateway list`: the registered ones and who lags (an
// extension, docs/gateway.md).
//
// Machine-readable contract (as `serve`): once the first routing snapshot is in force, the first line on
// stdout is {"event":"listening","gatewayUrl":...,"metricsUrl":...,"id":...,"version":N,"pid":...};
// {"event":"closed"} follows on shutdown. Logs go to stderr.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SwitchyardError } from '../../errors.js';
import { gatewayWorkersFlag } from '../../gateway/settings.js';
import { defineCommand, type Command } from '../command.js';
import { bool, num, port, str } from '../flags.js';

interface GatewayOptions {
  controlPlanes: string[];
  host: string;
  port: number;
  metricsHost: string;
  metricsPort?: number;
  id?: string;
  advertiseUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecure: boolean;
  gatewayWorkers?: number;
  logLevel?: string;
}

type StandaloneModule = typeof import('../../server/standalone-gateway.js');

/** A computed specifier keeps the CLI bundle (scripts/build.mjs) from taking in the server's modules, as `serve` does. */
const standalone = async (): Promise<StandaloneModule> =>
  (await import(new URL('../../server/standalone-gateway.js', import.meta.url).href)) as StandaloneModule;

const DEFAULT_PORT = 7071;
/** In-flight requests may run up to request_timeout_ms (at most 180 s); then some slack (as serve). */
const SHUTDOWN_DEADLINE_MS = 190_000;

/** The control-plane URLs: http(s), and https off this machine unless --insecure (snapshots hold secrets). */
export async function controlPlaneUrls(raw: string, insecure: boolean): Promise<string[]> {
  const { isLoopbackHost } = await standalone();
  const urls = raw.split(',').map((u) => u.trim()).filter((u) => u !== '');
  if (urls.length === 0) throw new SwitchyardError('UsageError', 'argument --control-plane: give at least one URL, e.g. https://cp1:7070,https://cp2:7070');
  return urls.map((u) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new SwitchyardError('UsageError', `argument --control-plane: ${JSON.stringify(u)} is not a URL (e.g. https://cp1:7070)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SwitchyardError('UsageError', `argument --control-plane: ${u} must be http:// or https://`);
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !insecure) {
      throw new SwitchyardError('InvalidValue',
        `Refusing to read routing snapshots from ${u} without TLS: they hold endpoint key hashes, token secrets and instance secrets. ` +
        'Use https:// (serve --tls-cert/--tls-key), or --insecure on a network you trust (docs/security.md).');
    }
    return url.href.replace(/\/$/, '');
  });
}

export const gatewayRun = defineCommand<GatewayOptions>({
  name: 'gateway',
  summary: 'Run a standalone gateway fed routing snapshots by the control plane(s) (extension; docs/gateway.md). '
    + 'Needs SWITCHYARD_TOKEN with the "Switchyard Gateway" role. `switchyard gateway list` lists the registered gateways.',
  flags: [
    { name: 'control-plane', kind: 'string', value: 'URL[,URL...]', required: true, help: 'Control-plane URL(s), replicas of one store; the gateway streams from whichever answers, and fails over to the next.' },
    { name: 'port', kind: 'number', value: 'PORT', help: `Scoring port (0: any free port). Default: ${DEFAULT_PORT}.` },
    { name: 'host', kind: 'string', value: 'HOST', help: 'Address to listen on. Default: 127.0.0.1.' },
    { name: 'metrics-port', kind: 'number', value: 'PORT', help: 'Port of /metrics and /healthz (no token; counters only). Default: --port + 1 (any free port when --port is 0).' },
    { name: 'metrics-host', kind: 'string', value: 'HOST', help: 'Address of the metrics listener. Default: 127.0.0.1.' },
    { name: 'id', kind: 'string', value: 'ID', help: 'The id it registers under (unique per gateway). Default: <hostname>:<port>.' },
    { name: 'advertise-url', kind: 'string', value: 'URL', help: 'The scoring URL to register (what clients use). Default: the listener\'s URL.' },
    { name: 'tls-cert', kind: 'string', value: 'PATH', help: 'PEM certificate (chain) for HTTPS on the scoring port (with --tls-key).' },
    { name: 'tls-key', kind: 'string', value: 'PATH', help: 'PEM private key of --tls-cert.' },
    { name: 'insecure', kind: 'boolean', help: 'Allow a --host other than loopback without TLS, and http:// control planes off this machine.' },
    { name: 'gateway-workers', kind: 'string', value: 'N', help: 'Worker processes sharing the port, 1 to 64 or auto (one per CPU), as serve --gateway-workers (docs/gateway.md, "Gateway workers"). Also $SWITCHYARD_GATEWAY_WORKERS. Default: 1 (a worker thread).' },
    { name: 'log-level', kind: 'string', value: 'LEVEL', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], help: 'Log level (logs go to stderr). Default: info.' },
  ],
  examples: [
    'export SWITCHYARD_TOKEN=$(switchyard token create --name edge-1 --role "Switchyard Gateway" -o tsv --query token)',
    'switchyard gateway --control-plane https://cp1:7070,https://cp2:7070 --host 0.0.0.0 --port 8443 --tls-cert cert.pem --tls-key key.pem',
    'switchyard gateway --control-plane http://127.0.0.1:7070 --port 7081 --id edge-1',
  ],
  options: (v) => ({
    controlPlanes: [str(v, 'control-plane')!],
    host: str(v, 'host') ?? '127.0.0.1',
    port: port(num(v, 'port'), 'port') ?? DEFAULT_PORT,
    metricsHost: str(v, 'metrics-host') ?? '127.0.0.1',
    ...(num(v, 'metrics-port') !== undefined ? { metricsPort: port(num(v, 'metrics-port'), 'metrics-port')! } : {}),
    ...(str(v, 'id') !== undefined ? { id: str(v, 'id')! } : {}),
    ...(str(v, 'advertise-url') !== undefined ? { advertiseUrl: str(v, 'advertise-url')! } : {}),
    ...(str(v, 'tls-cert') !== undefined ? { tlsCert: str(v, 'tls-cert')! } : {}),
    ...(str(v, 'tls-key') !== undefined ? { tlsKey: str(v, 'tls-key')! } : {}),
    insecure: bool(v, 'insecure'),
    ...(str(v, 'gateway-workers') !== undefined ? { gatewayWorkers: gatewayWorkersFlag(str(v, 'gateway-workers'))! } : {}),
    ...(str(v, 'log-level') !== undefined ? { logLevel: str(v, 'log-level')! } : {}),
  }),
  async run(o, ctx) {
    const token = ctx.env.SWITCHYARD_TOKEN?.trim();
    if (!token) {
      throw new SwitchyardError('UsageError',
        'SWITCHYARD_TOKEN is not set: a standalone gateway needs a token with the "Switchyard Gateway" role ' +
        '(switchyard token create --name <id> --role "Switchyard Gateway"), in SWITCHYARD_TOKEN.');
    }
    if (o.id !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(o.id)) {
      throw new SwitchyardError('UsageError', `argument --id: ${JSON.stringify(o.id)} must be 1-128 letters, digits, ".", "_", ":", "@", "-"`);
    }
    const controlPlanes = await controlPlaneUrls(o.controlPlanes[0]!, o.insecure);
    const { loadTransportSecurity, createLogger, startStandaloneGateway } = await standalone();
    const tls = await loadTransportSecurity(o.host, {
      ...(o.tlsCert ? { tlsCert: resolve(ctx.cwd, o.tlsCert) } : {}), ...(o.tlsKey ? { tlsKey: resolve(ctx.cwd, o.tlsKey) } : {}), insecure: o.insecure,
    });
    const caFile = ctx.env.SWITCHYARD_CA_FILE;
    let ca: string | undefined;
    if (caFile) {
      try {
        ca = await readFile(resolve(ctx.cwd, caFile), 'utf8');
      } catch (e) {
        throw new SwitchyardError('InvalidValue', `SWITCHYARD_CA_FILE is ${caFile}, which cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
      }
    }
    const logger = createLogger(o.logLevel ? { level: o.logLevel } : {});
    let started;
    try {
      started = await startStandaloneGateway({
        controlPlanes, token, logger, host: o.host, port: o.port, metricsHost: o.metricsHost,
        metricsPort: o.metricsPort ?? (o.port === 0 ? 0 : o.port + 1),
        ...(o.id ? { id: o.id } : {}), ...(o.advertiseUrl ? { advertiseUrl: o.advertiseUrl } : {}),
        ...(tls ? { tls } : {}), ...(ca ? { ca } : {}), ...(o.gatewayWorkers !== undefined ? { workers: o.gatewayWorkers } : {}),
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { port?: number };
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
        throw new SwitchyardError('InvalidValue', `cannot listen on ${o.host}: ${err.message}; pick other ports with --port and --metrics-port (0 picks free ones)`);
      }
      throw e;
    }
    ctx.io.out(JSON.stringify({ event: 'listening', gatewayUrl: started.url, metricsUrl: started.metricsUrl, id: started.id, version: started.version(), pid: process.pid }) + '\n');
    ctx.io.err(`\nStandalone gateway ${started.id} is serving at ${started.url} (routing version ${started.version()}).\n` +
      `  metrics: ${started.metricsUrl}/metrics\n  control plane(s): ${controlPlanes.join(', ')}\nPress Ctrl+C to stop.\n\n`);

    let signals = 0;
    await new Promise<void>((done) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        signals += 1;
        if (signals === 1) {
          ctx.io.err(`\nReceived ${signal}, stopping (again to force)...\n`);
          done();
          return;
        }
        process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await started.close();
    clearTimeout(deadline);
    ctx.io.out(JSON.stringify({ event: 'closed' }) + '\n');
    return undefined;
  },
});

export const gatewayList = defineCommand<Record<string, never>>({
  group: 'gateway',
  name: 'list',
  summary: 'List the registered standalone gateways: the routing version each serves, and InForce, Lagging or Disconnected.',
  flags: [],
  examples: ['switchyard gateway list -o table'],
  options: () => ({}),
  run: (_o, ctx) => ctx.client().listGateways(),
});

export const gatewayCommands: Command[] = [gatewayList];
