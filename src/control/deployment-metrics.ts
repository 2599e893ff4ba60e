// One deployment's figures out of the gateway's metrics JSON. The gateway answers a summary
// `{snapshotVersion, endpoints: {endpoint: {deployment: figures}}}`; a prom-client style list of
// metrics (`[{name, values: [{labels, value}]}]`) is filtered by its endpoint/deployment labels.
// Pure, so either shape is tested without a gateway.
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deploymentMetrics(all: unknown, endpoint: string, deployment: string): Record<string, unknown> {
  const head = { endpoint, deployment };
  if (Array.isArray(all)) {
    const metrics = all.flatMap((metric) => {
      if (!isPlainObject(metric) || !Array.isArray(metric.values)) return [];
      const values = metric.values.filter((v: unknown) => isPlainObject(v) && isPlainObject(v.labels)
        && v.labels.endpoint === endpoint && v.labels.deployment === deployment);
      return values.length ? [{ ...metric, values }] : [];
    });
    return { ...head, metrics };
  }
  if (isPlainObject(all) && isPlainObject(all.endpoints)) {
    const perEndpoint = all.endpoints[endpoint];
    const figures = isPlainObject(perEndpoint) && isPlainObject(perEndpoint[deployment]) ? perEndpoint[deployment] : {};
    const out: Record<string, unknown> = { ...head };
    if (all.snapshotVersion !== undefined) out.snapshotVersion = all.snapshotVersion;
    return { ...out, ...figures };
  }
  return head;
}
