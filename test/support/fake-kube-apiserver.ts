// A FAKE Kubernetes API server, in-process, for testing the Kubernetes backend without a cluster (none
// can run on these machines). It is not Kubernetes: it implements only the REST paths the backend uses,
// the way the real API server answers them, well enough for the real client library
// (@kubernetes/client-node) to drive it through a kubeconfig:
//   discovery      GET /api/v1, GET /apis/apps/v1
//   objects        apps/v1 deployments, v1 services, v1 secrets: GET (read, list with labelSelector),
//                  POST, PUT, PATCH (server-side apply: application/apply-patch+yaml), DELETE
//   pods           GET list and ?watch=true (newline-delimited JSON events, resumable by
//                  resourceVersion; a resourceVersion older than the kept history gets 410 Gone),
//                  GET one, DELETE, GET .../log (container, tailLines)
// Every request is recorded (method, path, query, content type). A simulated controller creates pods for
// a Deployment's replicas (new template: new pods first, old ones deleted once the new ones are all
// Ready, like maxUnavailable 0), deletes a Deployment's pods with it, and keeps the Deployment's status
// (observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas) as the real
// controller does. Pods stay Pending until the test marks them Ready with an IP (which can point to a
// real local scoring process), or makes a container fail.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
}

interface Kind { kind: string; group: string; version: string; plural: string }

const KINDS: Kind[] = [
  { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments' },
  { kind: 'Service', group: '', version: 'v1', plural: 'services' },
  { kind: 'Secret', group: '', version: 'v1', plural: 'secrets' },
  { kind: 'Pod', group: '', version: 'v1', plural: 'pods' },
];

interface WatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: Obj; rv: number }

interface Watcher { plural: string; namespace: string; selector: string | undefined; res: ServerResponse }

/** The fake's clock of changes; every object write takes the next value. */
export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private server!: Server;
  private rv = 1;
  private readonly objects = new Map<string, Obj>();
  /** Watch events kept for resuming; older resourceVersions get 410 Gone. */
  private history: WatchEvent[] = [];
  private oldestKept = 1;
  private readonly watchers = new Set<Watcher>();
  private readonly logs = new Map<string, string>();
  private readonly changeListeners = new Set<() => void>();
  url = '';

  constructor(readonly token = randomBytes(12).toString('hex')) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => this.status(res, 500, 'InternalError', String(e)));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** A kubeconfig (YAML) whose current context talks to this fake with its bearer token. */
  kubeconfig(namespace = 'default'): string {
    return [
      'apiVersion: v1', 'kind: Config', 'current-context: fake',
      // Plain HTTP on loopback: the client insists on an explicit skip of TLS verification for it.
      'clusters:', '- name: fake', '  cluster:', `    server: ${this.url}`, '    insecure-skip-tls-verify: true',
      'users:', '- name: fake', '  user:', `    token: ${this.token}`,
      'contexts:', '- name: fake', '  context:', '    cluster: fake', '    user: fake', `    namespace: ${namespace}`, '',
    ].join('\n');
  }

  // ---- what tests look at and do ------------------------------------------------------------

  get(plural: string, namespace: string, name: string): Obj | undefined {
    return this.objects.get(keyOf(plural, namespace, name));
  }

  list(plural: string, namespace?: string): Obj[] {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${plural}/${namespace === undefined ? '' : `${namespace}/`}`))
      .map(([, o]) => o);
  }

  /** Resolves when `check()` holds, re-checked after every change the fake makes (no polling). */
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const test = (): boolean => {
        const v = check();
        if (v === undefined || v === false) return false;
        this.changeListeners.delete(test);
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        this.changeListeners.delete(test);
        reject(new Error(`fake API server: timed out waiting for ${what}`));
      }, timeoutMs);
      if (!test()) this.changeListeners.add(test);
    });
  }

  /** The kubelet's part: the pod runs at `ip`, both containers started, Ready. */
  markReady(namespace: string, name: string, ip: string, node = 'fake-node-1'): void {
    this.updatePod(namespace, name, (pod) => {
      pod.spec.nodeName = node;
      pod.status = {
        ...pod.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.0.1',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }],
        initContainerStatuses: (pod.spec.initContainers ?? []).map((c: Obj) => ({
          name: c.name, ready: true, restartCount: 0, image: c.image, imageID: '',
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        })),
        containerStatuses: (pod.spec.containers ?? []).map((c: Obj) => ({
          name: c.name, ready: true, started: true, restartCount: 0, image: c.image, imageID: '',
          state: { running: { startedAt: new Date().toISOString() } },
        })),
      };
    });
  }

  /** A container of the pod fails (`restartCount` restarts, waiting with `reason`), e.g. CrashLoopBackOff. */
  failContainer(namespace: string, name: string, container: string, reason: string, restartCount: number, message = ''): void {
    this.updatePod(namespace, name, (pod) => {
      const init = (pod.spec.initContainers ?? []).some((c: Obj) => c.name === container);
      const field = init ? 'initContainerStatuses' : 'containerStatuses';
      const statuses: Obj[] = (pod.status[field] ?? []).filter((s: Obj) => s.name !== container);
      statuses.push({ name: container, ready: false, restartCount, image: '', imageID: '', state: { waiting: { reason, message } },
        lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
      pod.status = { ...pod.status, [field]: statuses, conditions: [{ type: 'Ready', status: 'False' }] };
    });
  }

  /** What GET .../pods/NAME/log?container=C answers. */
  setLog(namespace: string, pod: string, container: string, text: string): void {
    this.logs.set(`${namespace}/${pod}/${container}`, text);
  }

  /** Ends every open watch (as an API server restart or a watch timeout does); clients resume. */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Forgets the watch history (etcd compaction): resuming from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.history = [];
    this.oldestKept = this.rv + 1;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const contentType = req.headers['content-type'];
    this.requests.push({ method: req.method ?? '', path: url.pathname, query, ...(contentType ? { contentType } : {}) });
    this.changed();
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.status(res, 401, 'Unauthorized', 'Unauthorized');

    if (req.method === 'GET' && url.pathname === '/api/v1') return this.json(res, 200, discovery('v1', ['services', 'secrets', 'pods']));
    if (req.method === 'GET' && url.pathname === '/apis/apps/v1') return this.json(res, 200, discovery('apps/v1', ['deployments']));

    const m = /^\/(?:api\/v1|apis\/apps\/v1)\/namespaces\/([^/]+)\/([a-z]+)(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    const kind = m && KINDS.find((k) => k.plural === m[2] && url.pathname.startsWith(k.group ? `/apis/${k.group}/` : '/api/'));
    if (!m || !kind) return this.status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const namespace = decodeURIComponent(m[1]!);
    const name = m[3] ? decodeURIComponent(m[3]) : undefined;
    const body = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' ? await readBody(req) : undefined;

    if (m[4] === 'log') {
      if (kind.plural !== 'pods' || !name || req.method !== 'GET') return this.status(res, 405, 'MethodNotAllowed', 'method not allowed');
      return this.podLog(res, namespace, name, query);
    }
    if (!name) {
      if (req.method === 'GET' && query.watch === 'true') return this.watch(res, kind.plural, namespace, query);
      if (req.method === 'GET') {
        const items = this.list(kind.plural, namespace).filter((o) => matches(o, query.labelSelector));
        return this.json(res, 200, { apiVersion: apiVersionOf(kind), kind: `${kind.kind}List`, metadata: { resourceVersion: String(this.rv) }, items });
      }
      if (req.method === 'POST') {
        const obj = parseBody(body!);
        if (this.get(kind.plural, namespace, obj.metadata?.name)) return this.status(res, 409, 'AlreadyExists', `${kind.plural} "${obj.metadata?.name}" already exists`);
        return this.json(res, 201, this.write(kind, namespace, obj, undefined));
      }
      return this.status(res, 405, 'MethodNotAllowed', 'method not allowed');
    }
    const existing = this.get(kind.plural, namespace, name);
    switch (req.method) {
      case 'GET':
        return existing ? this.json(res, 200, existing) : this.notFound(res, kind, name);
      case 'PUT':
        if (!existing) return this.notFound(res, kind, name);
        return this.json(res, 200, this.write(kind, namespace, parseBody(body!), existing));
      case 'PATCH': {
        if (contentType !== 'application/apply-patch+yaml') return this.status(res, 415, 'UnsupportedMediaType', `the fake only implements server-side apply, not ${contentType}`);
        if (!query.fieldManager) return this.status(res, 422, 'Invalid', 'fieldManager is required for apply requests');
        const obj = parseBody(body!);
        if (obj.metadata?.name !== name) return this.status(res, 400, 'BadRequest', 'the name of the object does not match the name in the URL');
        return this.json(res, existing ? 200 : 201, this.write(kind, namespace, obj, existing));
      }
      case 'DELETE':
        if (!existing) return this.notFound(res, kind, name);
        this.remove(kind.plural, namespace, name);
        return this.json(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: kind.plural } });
      default:
        return this.status(res, 405, 'MethodNotAllowed', 'method not allowed');
    }
  }

  private podLog(res: ServerResponse, namespace: string, name: string, query: Record<string, string>): void {
    const pod = this.get('pods', namespace, name);
    if (!pod) return this.status(res, 404, 'NotFound', `pods "${name}" not found`);
    const names = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])].map((c: Obj) => c.name as string);
    const container = query.container ?? (names.length === 1 ? names[0] : undefined);
    if (!container) return this.status(res, 400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    if (!names.includes(container)) return this.status(res, 400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const text = this.logs.get(`${namespace}/${name}/${container}`);
    if (text === undefined) return this.status(res, 400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: PodInitializing`);
    let lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (query.tailLines !== undefined) {
      const n = Number(query.tailLines);
      lines = n > 0 ? lines.slice(-n) : [];
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(lines.map((l) => `${l}\n`).join(''));
  }

  private watch(res: ServerResponse, plural: string, namespace: string, query: Record<string, string>): void {
    const from = Number(query.resourceVersion || 0);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // as the API server does: the client's watch() resolves on the headers
    if (from && from < this.oldestKept - 1) {
      // What the real API server sends when the resourceVersion was compacted away.
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: `too old resource version: ${from} (${this.oldestKept})` } })}\n`);
      return;
    }
    const w: Watcher = { plural, namespace, selector: query.labelSelector, res };
    for (const e of this.history) if (e.rv > from) this.send(w, e);
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }

  private send(w: Watcher, e: WatchEvent): void {
    const [plural, namespace] = [pluralOf(e.object.kind), e.object.metadata.namespace];
    if (plural !== w.plural || namespace !== w.namespace || !matches(e.object, w.selector)) return;
    w.res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
  }

  // ---- the store and the simulated controller ------------------------------------------------

  private write(kind: Kind, namespace: string, incoming: Obj, existing: Obj | undefined): Obj {
    const rv = ++this.rv;
    const name = incoming.metadata.name as string;
    const specChanged = !existing || JSON.stringify(existing.spec) !== JSON.stringify(incoming.spec);
    const obj: Obj = {
      ...incoming,
      apiVersion: apiVersionOf(kind), kind: kind.kind,
      metadata: {
        ...incoming.metadata, namespace, resourceVersion: String(rv),
        uid: existing?.metadata.uid ?? randomBytes(8).toString('hex'),
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
        generation: (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0),
      },
      ...(existing?.status && !incoming.status ? { status: existing.status } : {}),
    };
    if (kind.plural === 'deployments') obj.status ??= { observedGeneration: 0 };
    this.objects.set(keyOf(kind.plural, namespace, name), obj);
    this.emit(existing ? 'MODIFIED' : 'ADDED', obj, rv);
    if (kind.plural === 'deployments') this.controlDeployment(namespace, name);
    return obj;
  }

  private remove(plural: string, namespace: string, name: string): void {
    const obj = this.objects.get(keyOf(plural, namespace, name));
    if (!obj) return;
    this.objects.delete(keyOf(plural, namespace, name));
    const rv = ++this.rv;
    obj.metadata = { ...obj.metadata, resourceVersion: String(rv), deletionTimestamp: new Date().toISOString() };
    this.emit('DELETED', obj, rv);
    if (plural === 'deployments') {
      // Garbage collection of the Deployment's pods.
      for (const pod of this.list('pods', namespace)) if (pod.metadata.ownerReferences?.[0]?.uid === obj.metadata.uid) this.remove('pods', namespace, pod.metadata.name);
    }
    if (plural === 'pods') this.controlOwner(obj);
  }

  private updatePod(namespace: string, name: string, change: (pod: Obj) => void): void {
    const pod = this.get('pods', namespace, name);
    if (!pod) throw new Error(`fake API server: no pod ${namespace}/${name}`);
    const copy = structuredClone(pod);
    change(copy);
    const rv = ++this.rv;
    copy.metadata.resourceVersion = String(rv);
    this.objects.set(keyOf('pods', namespace, name), copy);
    this.emit('MODIFIED', copy, rv);
    this.controlOwner(copy);
  }

  private controlOwner(pod: Obj): void {
    const owner = pod.metadata.ownerReferences?.[0]?.name;
    if (owner && this.get('deployments', pod.metadata.namespace, owner)) this.controlDeployment(pod.metadata.namespace, owner);
  }

  /** One pass of the Deployment controller: pods for the current template, then status. */
  private controlDeployment(namespace: string, name: string): void {
    const dep = this.get('deployments', namespace, name);
    if (!dep) return;
    const hash = createHash('sha256').update(JSON.stringify(dep.spec.template)).digest('hex').slice(0, 10);
    const owned = this.list('pods', namespace).filter((p) => p.metadata.ownerReferences?.[0]?.uid === dep.metadata.uid);
    const current = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    const old = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash);
    const replicas = Number(dep.spec.replicas ?? 1);
    const ready = (p: Obj) => p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True') === true;
    for (let n = current.length; n < replicas; n++) current.push(this.createPod(dep, hash));
    if (current.length > replicas) {
      const excess = [...current].sort((a, b) => Number(ready(a)) - Number(ready(b))).slice(0, current.length - replicas);
      for (const p of excess) this.remove('pods', namespace, p.metadata.name);
    }
    const live = this.list('pods', namespace).filter((p) => p.metadata.ownerReferences?.[0]?.uid === dep.metadata.uid && p.metadata.labels?.['pod-template-hash'] === hash);
    if (old.length && live.filter(ready).length >= replicas) for (const p of old) this.remove('pods', namespace, p.metadata.name);
    const all = this.list('pods', namespace).filter((p) => p.metadata.ownerReferences?.[0]?.uid === dep.metadata.uid);
    const status = {
      observedGeneration: dep.metadata.generation,
      replicas: all.length,
      updatedReplicas: live.length,
      readyReplicas: all.filter(ready).length,
      availableReplicas: all.filter(ready).length,
    };
    if (JSON.stringify(status) === JSON.stringify(dep.status)) return;
    const rv = ++this.rv;
    const next = { ...dep, metadata: { ...dep.metadata, resourceVersion: String(rv) }, status };
    this.objects.set(keyOf('deployments', namespace, name), next);
    this.emit('MODIFIED', next, rv);
  }

  private createPod(dep: Obj, hash: string): Obj {
    const namespace = dep.metadata.namespace as string;
    const name = `${dep.metadata.name}-${hash.slice(0, 8)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    const rv = ++this.rv;
    const tpl = structuredClone(dep.spec.template);
    const pod: Obj = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        ...tpl.metadata, name, namespace, resourceVersion: String(rv), uid: randomBytes(8).toString('hex'),
        creationTimestamp: new Date().toISOString(), generateName: `${dep.metadata.name}-${hash.slice(0, 8)}-`,
        labels: { ...tpl.metadata?.labels, 'pod-template-hash': hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name, uid: dep.metadata.uid, controller: true }],
      },
      spec: tpl.spec,
      status: { phase: 'Pending', startTime: new Date().toISOString(), conditions: [{ type: 'Ready', status: 'False' }] },
    };
    this.objects.set(keyOf('pods', namespace, name), pod);
    this.emit('ADDED', pod, rv);
    return pod;
  }

  private emit(type: WatchEvent['type'], object: Obj, rv: number): void {
    const e: WatchEvent = { type, object: structuredClone(object), rv };
    this.history.push(e);
    for (const w of this.watchers) this.send(w, e);
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.changeListeners]) l();
  }

  private json(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    if (res.headersSent) { res.destroy(); return; }
    this.json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }

  private notFound(res: ServerResponse, kind: Kind, name: string): void {
    this.status(res, 404, 'NotFound', `${kind.plural}${kind.group ? `.${kind.group}` : ''} "${name}" not found`);
  }
}

const keyOf = (plural: string, namespace: string, name: string): string => `${plural}/${namespace}/${name}`;
const apiVersionOf = (k: Kind): string => (k.group ? `${k.group}/${k.version}` : k.version);
const pluralOf = (kind: string): string => KINDS.find((k) => k.kind === kind)!.plural;

function discovery(groupVersion: string, plurals: string[]): Obj {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion,
    resources: plurals.map((p) => ({
      name: p, singularName: '', namespaced: true, kind: KINDS.find((k) => k.plural === p)!.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

/** Equality-based label selectors (`a=b,c!=d,e`), the kind the backend sends. */
export function matches(obj: Obj, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels: Record<string, string> = obj.metadata?.labels ?? {};
  return selector.split(',').every((term) => {
    const ne = /^([^!=]+)!=(.*)$/.exec(term);
    if (ne) return labels[ne[1]!.trim()] !== ne[2]!.trim();
    const eq = /^([^=]+)==?(.*)$/.exec(term);
    if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
    return term.trim() in labels;
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON, or YAML (an apply patch may be either). */
function parseBody(text: string): Obj {
  try {
    return JSON.parse(text) as Obj;
  } catch {
    return parseYaml(text) as Obj;
  }
}
