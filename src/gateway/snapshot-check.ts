// Checks a routing snapshot received from a control plane over the network (standalone gateways)
// before the gateway swaps it in: the shape snapshot.ts declares, with the value ranges the router
// relies on. Answers what is wrong (a path and why), or null when it is a valid snapshot.
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

function checkShares(v: unknown, key: 'weight' | 'percent', path: string): string | null {
  if (!Array.isArray(v)) return `${path} is not a list`;
  for (const [i, e] of v.entries()) {
    if (!isObj(e) || !isStr(e.deployment) || !isInt(e[key], 0, 100)) return `${path}[${i}] needs a deployment and a ${key} 0..100`;
  }
  return null;
}

function checkDeployment(d: unknown, path: string): string | null {
  if (!isObj(d) || !isStr(d.name)) return `${path} needs a name`;
  if (!isInt(d.requestTimeoutMs, 1, 3_600_000) || !isInt(d.maxConcurrentPerInstance, 1, 1_000_000) || !isInt(d.instanceCount, 0, 1_000_000)) {
    return `${path} has an invalid timeout, concurrency or instance count`;
  }
  if (!isStr(d.scorePath) || !d.scorePath.startsWith('/') || !isStr(d.swaggerPath) || !d.swaggerPath.startsWith('/')) return `${path} has an invalid path`;
  if (!Array.isArray(d.instances)) return `${path}.instances is not a list`;
  for (const [i, inst] of d.instances.entries()) {
    if (!isObj(inst) || !isStr(inst.name) || !isStr(inst.url) || (inst.secret !== undefined && !isStr(inst.secret))) return `${path}.instances[${i}] needs a name and a url`;
    let url: URL;
    try {
      url = new URL(inst.url);
    } catch {
      return `${path}.instances[${i}].url is not a URL`;
    }
    if (url.protocol !== 'http:') return `${path}.instances[${i}].url is not http`;
  }
  return null;
}

function checkEndpoint(e: unknown, path: string): string | null {
  if (!isObj(e) || !isStr(e.name)) return `${path} needs a name`;
  if (e.authMode !== 'key' && e.authMode !== 'aml_token') return `${path}.authMode must be key or aml_token`;
  if (!Array.isArray(e.keyHashes) || !e.keyHashes.every(isStr) || !isStr(e.tokenSecret)) return `${path} has invalid credentials`;
  const shares = checkShares(e.traffic, 'weight', `${path}.traffic`)
    ?? (e.shadows === undefined ? null : checkShares(e.shadows, 'percent', `${path}.shadows`));
  if (shares) return shares;
  if (e.mirror !== null && (!isObj(e.mirror) || !isStr(e.mirror.deployment) || !isInt(e.mirror.percent, 0, 100))) return `${path}.mirror is invalid`;
  if (e.stickyHeader !== undefined && e.stickyHeader !== null && !isStr(e.stickyHeader)) return `${path}.stickyHeader is invalid`;
  if (e.calibratePercent !== undefined && !isInt(e.calibratePercent, 0, 100)) return `${path}.calibratePercent is invalid`;
  if (e.publicNetworkAccess !== undefined && e.publicNetworkAccess !== 'enabled' && e.publicNetworkAccess !== 'disabled') return `${path}.publicNetworkAccess is invalid`;
  if (!isObj(e.deployments)) return `${path}.deployments is not an object`;
  for (const [name, d] of Object.entries(e.deployments)) {
    const problem = checkDeployment(d, `${path}.deployments.${name}`);
    if (problem) return problem;
  }
  return null;
}

export function checkSnapshot(s: unknown): string | null {
  if (!isObj(s)) return 'not an object';
  if (!isInt(s.version, 1, Number.MAX_SAFE_INTEGER)) return 'version is not a positive whole number';
  if (!isObj(s.endpoints)) return 'endpoints is not an object';
  for (const [name, e] of Object.entries(s.endpoints)) {
    const problem = checkEndpoint(e, `endpoints.${name}`);
    if (problem) return problem;
  }
  return null;
}
