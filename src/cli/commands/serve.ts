// `switchyard serve`: runs the control plane and the gateway in the foreground until SIGINT/SIGTERM.
//
// Machine-readable contract (for scripts and tests that start a server on port 0): the first line on
// stdout is one JSON object
//   {"event":"listening","controlUrl":"http://127.0.0.1:7070","gatewayUrl":"http://127.0.0.1:7071","dataDir":"/abs/dir","pid":123}
// and, on shutdown, {"event":"closed"}. Everything for people (what to do next) goes to stderr.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SwitchyardError } from '../../errors.js';
import { gatewayWorkersFlag } from '../../gateway/settings.js';
import { defineCommand, type Context } from '../command.js';
import { bool, num, port, str } from '../flags.js';

interface ServeOptions {
  host?: string; port?: number; gatewayPort?: number; dataDir?: string; python?: string; logLevel?: string;
  instanceUser?: string; instanceDir?: string; noZygote?: boolean; zygote?: boolean;
  tlsCert?: string; tlsKey?: string; insecure?: boolean; gatewayWorkers?: number;
  masterKeyFile?: string; adminTokenFile?: string;
  backend?: 'local' | 'kubernetes'; kubeconfig?: string; namespace?: string;
  store?: string; artifactDir?: string;
  /** The CLI owns the signals, so it can report `closed` after close() ends. */
  handleSignals?: boolean;
}

/** What src/server/serve.ts exports (owned by the control plane; imported lazily so the CLI starts fast). */
interface ServeModule {
  serve(options: ServeOptions): Promise<{
    controlUrl: string; gatewayUrl: string; dataDir: string; close(): Promise<void> | void;
    isolation: { isolated: true; user: { name: string } } | { isolated: false; reason: string };
    kubernetes?: { namespace: string; server: string };
  }>;
}


/** The package root (this file is dist/cli/commands/serve.js or src/cli/commands/serve.ts). */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** In-flight requests may run up to request_timeout_ms (at most 180 s, docs/compatibility.md, "Deployments"); then some slack. */
const SHUTDOWN_DEADLINE_MS = 190_000;

function nextSteps(started: Pick<Awaited<ReturnType<ServeModule['serve']>>, 'controlUrl' | 'gatewayUrl' | 'dataDir' | 'isolation' | 'kubernetes'>, ctx: Context, adminTokenFile?: string): string {
  const defaultDir = join(ctx.home, '.switchyard');
  const lines = [
    '',
    `Switchyard is running.`,
    `  control plane: ${started.controlUrl}`,
    `  gateway (scoring): ${started.gatewayUrl}`,
    `  data: ${started.dataDir}`,
    started.kubernetes
      ? `  instances run as: pods in namespace ${started.kubernetes.namespace} of ${started.kubernetes.server} (docs/kubernetes.md)`
      : started.isolation.isolated
      ? `  instances run as: ${started.isolation.user.name} (a group per deployment; docs/security.md)`
      : `  WARNING: instances run as this server's own user (${started.isolation.reason}): scoring code can read the admin token\n` +
        '  and the master key, so only Owner may create or update deployments. Run as root for isolated instances (docs/security.md).',
    '',
    'In another terminal:',
    `  export SWITCHYARD_URL=${started.controlUrl}`,
  ];
  // The other terminal has neither this process's flags nor, necessarily, its environment.
  if (adminTokenFile) {
    lines.push(`  export SWITCHYARD_TOKEN="$(cat ${adminTokenFile})"   # the admin token (--admin-token-file)`);
  } else if (resolve(started.dataDir) !== resolve(defaultDir)) {
    lines.push(`  export SWITCHYARD_DATA_DIR=${started.dataDir}   # where the CLI finds the admin token`);
  }
  const bin = join(packageRoot, 'bin');
  const sample = join(packageRoot, 'examples', 'safe-rollout', 'endpoints', 'online');
  lines.push(
    `  export PATH="${bin}:$PATH"`,
    `  cd ${sample}`,
    '  switchyard online-endpoint create --name my-endpoint -f managed/sample/endpoint.yml',
    '  switchyard online-deployment create --name blue --endpoint my-endpoint -f managed/sample/blue-deployment.yml --all-traffic',
    '  switchyard online-endpoint invoke --name my-endpoint --request-file model-1/sample-request.json',
    '',
    'Or run the whole safe rollout (blue, green, mirror, 90/10, 0/100, deletes), narrated:',
    `  bash ${join(packageRoot, 'examples', 'safe-rollout', 'walkthrough.sh')}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  );
  return lines.join('\n');
}

export const serve = defineCommand<ServeOptions>({
  name: 'serve',
  summary: 'Run the Switchyard server (control plane and gateway) in the foreground. The first stdout line is '
    + '{"event":"listening","controlUrl":...,"gatewayUrl":...,"dataDir":...,"pid":...} (for scripts using port 0); '
    + '{"event":"closed"} follows on shutdown.',
  flags: [
    { name: 'host', kind: 'string', value: 'HOST', help: 'Address to listen on. Default: 127.0.0.1.' },
    { name: 'port', kind: 'number', value: 'PORT', help: 'Control plane port (0: any free port). Default: 7070.' },
    { name: 'gateway-port', kind: 'number', value: 'PORT', help: 'Gateway (scoring) port (0: any free port). Default: 7071.' },
    { name: 'gateway-workers', kind: 'string', value: 'N', help: 'Extension: gateway worker processes sharing the gateway port, 1 to 64 or auto (one per CPU); more use more cores for scoring traffic (docs/gateway.md, "Gateway workers"). Also $SWITCHYARD_GATEWAY_WORKERS. Default: 1 (a worker thread).' },
    { name: 'data-dir', kind: 'string', value: 'DIR', help: 'Where the store, artifacts, logs and admin token live. Default: $SWITCHYARD_DATA_DIR or ~/.switchyard.' },
    { name: 'python', kind: 'string', value: 'PATH', help: 'Python interpreter for scoring hosts (also $SWITCHYARD_PYTHON; an environment may name its own with `interpreter:`). Default: the first of /usr/bin/python3 and python3 on PATH that can import the environment\'s packages.' },
    { name: 'instance-user', kind: 'string', value: 'USER', help: 'Unprivileged user scoring instances run as, each deployment with a group of its own (also $SWITCHYARD_INSTANCE_USER; scripts/instance-user.sh creates it). Needs a root server; `none` runs instances as the server\'s own user, and then only Owner may deploy code. Default: switchyard-instance when root, else none (with a warning).' },
    { name: 'instance-dir', kind: 'string', value: 'DIR', help: 'Where model and code are staged for instances (also $SWITCHYARD_INSTANCE_DIR). Default: DATA_DIR/deployments, or /var/lib/switchyard/instances/<id> when the instance user cannot reach the data dir.' },
    { name: 'no-zygote', kind: 'boolean', help: 'Start every Python instance cold instead of forking it from a pre-warmed Python that has imported the environment\'s packages (also SWITCHYARD_ZYGOTE=0; docs/security.md, "Pre-warmed Python instances").' },
    { name: 'tls-cert', kind: 'string', value: 'PATH', help: 'PEM certificate (chain) for HTTPS on both listeners (with --tls-key). Clients of a self-signed one set SWITCHYARD_CA_FILE (or NODE_EXTRA_CA_CERTS) to it.' },
    { name: 'tls-key', kind: 'string', value: 'PATH', help: 'PEM private key of --tls-cert.' },
    { name: 'insecure', kind: 'boolean', help: 'Allow a --host other than loopback without TLS (a TLS proxy in front must encrypt). Without it such a bind is refused.' },
    { name: 'master-key-file', kind: 'string', value: 'PATH', help: 'File of the master key that seals secrets in the store (also $SWITCHYARD_MASTER_KEY_FILE; created when missing). Every replica of a shared PostgreSQL store needs the same file (docs/scale-out.md). Default: DATA_DIR/master-key.' },
    { name: 'admin-token-file', kind: 'string', value: 'PATH', help: 'File of the admin token (also $SWITCHYARD_ADMIN_TOKEN_FILE; created when missing). Every replica of a shared store needs the same file; CLI users then set SWITCHYARD_TOKEN. Default: DATA_DIR/admin-token.' },
    { name: 'backend', kind: 'string', value: 'BACKEND', choices: ['local', 'kubernetes'], help: 'Where instances run: local processes, or pods of a Kubernetes cluster (docs/kubernetes.md). Default: local.' },
    { name: 'kubeconfig', kind: 'string', value: 'PATH', help: 'With --backend kubernetes: the kubeconfig file. Default: the pod\'s service account when running in a cluster, else $KUBECONFIG or ~/.kube/config.' },
    { name: 'namespace', kind: 'string', value: 'NS', help: 'With --backend kubernetes: the namespace of the deployments\' objects (also $SWITCHYARD_KUBERNETES_NAMESPACE). Default: the pod\'s own namespace in a cluster, else switchyard.' },
    { name: 'store', kind: 'string', value: 'STORE', help: 'Where the control plane keeps its state (also $SWITCHYARD_STORE): sqlite (a file in the data dir), or a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL that several replicas share (docs/store.md). Default: sqlite.' },
    { name: 'artifact-dir', kind: 'string', value: 'DIR', help: 'Where uploaded models and code are kept (also $SWITCHYARD_ARTIFACT_DIR): replicas sharing a PostgreSQL store share this folder. Default: DATA_DIR/artifacts.' },
    { name: 'log-level', kind: 'string', value: 'LEVEL', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], help: 'Server log level (logs go to stderr). Default: info.' },
  ],
  examples: ['switchyard serve', 'switchyard serve --port 0 --gateway-port 0 --data-dir /tmp/sy', 'switchyard serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem',
    'switchyard serve --backend kubernetes --kubeconfig ~/.kube/config --namespace models',
    'switchyard serve --store postgres://switchyard:PASSWORD@db:5432/switchyard --artifact-dir /shared/artifacts'],
  options: (v) => {
    if ((str(v, 'kubeconfig') !== undefined || str(v, 'namespace') !== undefined) && str(v, 'backend') !== 'kubernetes') {
      throw new SwitchyardError('UsageError', 'argument --kubeconfig/--namespace: only with --backend kubernetes');
    }
    return {
      host: str(v, 'host'),
      port: port(num(v, 'port'), 'port'),
      gatewayPort: port(num(v, 'gateway-port'), 'gateway-port'),
      gatewayWorkers: gatewayWorkersFlag(str(v, 'gateway-workers')),
      dataDir: str(v, 'data-dir'),
      python: str(v, 'python'),
      logLevel: str(v, 'log-level'),
      instanceUser: str(v, 'instance-user'),
      instanceDir: str(v, 'instance-dir'),
      noZygote: bool(v, 'no-zygote'),
      tlsCert: str(v, 'tls-cert'),
      tlsKey: str(v, 'tls-key'),
      insecure: bool(v, 'insecure'),
      backend: str(v, 'backend') as ServeOptions['backend'],
      kubeconfig: str(v, 'kubeconfig'),
      namespace: str(v, 'namespace'),
      masterKeyFile: str(v, 'master-key-file'),
      adminTokenFile: str(v, 'admin-token-file'),
      store: str(v, 'store'),
      artifactDir: str(v, 'artifact-dir'),
    };
  },
  async run(o, ctx) {
    const options: ServeOptions = {
      host: o.host ?? '127.0.0.1',
      port: o.port ?? 7070,
      gatewayPort: o.gatewayPort ?? 7071,
      dataDir: resolve(ctx.cwd, o.dataDir ?? ctx.env.SWITCHYARD_DATA_DIR ?? join(ctx.home, '.switchyard')),
      ...((o.python ?? ctx.env.SWITCHYARD_PYTHON) ? { python: o.python ?? ctx.env.SWITCHYARD_PYTHON } : {}),
      ...(o.logLevel ? { logLevel: o.logLevel } : {}),
      ...((o.instanceUser ?? ctx.env.SWITCHYARD_INSTANCE_USER) ? { instanceUser: o.instanceUser ?? ctx.env.SWITCHYARD_INSTANCE_USER } : {}),
      ...((o.instanceDir ?? ctx.env.SWITCHYARD_INSTANCE_DIR) ? { instanceDir: resolve(ctx.cwd, (o.instanceDir ?? ctx.env.SWITCHYARD_INSTANCE_DIR)!) } : {}),
      ...(o.tlsCert ? { tlsCert: resolve(ctx.cwd, o.tlsCert) } : {}),
      ...(o.tlsKey ? { tlsKey: resolve(ctx.cwd, o.tlsKey) } : {}),
      ...(o.insecure ? { insecure: true } : {}),
      ...(o.backend ? { backend: o.backend } : {}),
      ...(o.kubeconfig ? { kubeconfig: resolve(ctx.cwd, o.kubeconfig) } : {}),
      ...(o.namespace ? { namespace: o.namespace } : {}),
      ...(o.noZygote ? { zygote: false } : {}),
      ...((o.masterKeyFile ?? ctx.env.SWITCHYARD_MASTER_KEY_FILE) ? { masterKeyFile: resolve(ctx.cwd, (o.masterKeyFile ?? ctx.env.SWITCHYARD_MASTER_KEY_FILE)!) } : {}),
      ...((o.adminTokenFile ?? ctx.env.SWITCHYARD_ADMIN_TOKEN_FILE) ? { adminTokenFile: resolve(ctx.cwd, (o.adminTokenFile ?? ctx.env.SWITCHYARD_ADMIN_TOKEN_FILE)!) } : {}),
      ...(o.gatewayWorkers !== undefined ? { gatewayWorkers: o.gatewayWorkers } : {}),
      ...((o.store ?? ctx.env.SWITCHYARD_STORE) ? { store: o.store ?? ctx.env.SWITCHYARD_STORE } : {}),
      ...((o.artifactDir ?? ctx.env.SWITCHYARD_ARTIFACT_DIR) ? { artifactDir: resolve(ctx.cwd, (o.artifactDir ?? ctx.env.SWITCHYARD_ARTIFACT_DIR)!) } : {}),
      handleSignals: false,
    };
    // A computed specifier keeps the CLI compiling and starting without loading the server's modules.
    const specifier = new URL('../../server/serve.js', import.meta.url).href;
    const mod = (await import(specifier)) as ServeModule;
    let started: Awaited<ReturnType<ServeModule['serve']>>;
    try {
      started = await mod.serve(options);
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { port?: number };
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
        const why = err.code === 'EADDRINUSE' ? 'is already in use (is another `switchyard serve` running?)' : 'needs privileges';
        throw new SwitchyardError('InvalidValue', `cannot listen on ${options.host}${err.port ? `:${err.port}` : ''}: the port ${why}; pick others with --port and --gateway-port (0 picks free ones)`);
      }
      throw e;
    }
    ctx.io.out(JSON.stringify({ event: 'listening', controlUrl: started.controlUrl, gatewayUrl: started.gatewayUrl, dataDir: started.dataDir, pid: process.pid }) + '\n');
    ctx.io.err(nextSteps(started, ctx, options.adminTokenFile));

    // The first SIGINT/SIGTERM stops gracefully (in-flight requests finish, instances stop); a second
    // one, or a shutdown that outlives SHUTDOWN_DEADLINE_MS, exits at once: `serve` never hangs on exit.
    // The instances die with us either way (they exit when their stdin pipe closes).
    let signals = 0;
    await new Promise<void>((done) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        signals += 1;
        if (signals === 1) {
          ctx.io.err(`\nReceived ${signal}, stopping (again to force)...\n`);
          done();
          return;
        }
        ctx.io.err(`Received ${signal} again: exiting now.\n`);
        process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    const deadline = setTimeout(() => {
      ctx.io.err(`Shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s: exiting now.\n`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await started.close();
    clearTimeout(deadline);
    ctx.io.out(JSON.stringify({ event: 'closed' }) + '\n');
    return undefined;
  },
});
