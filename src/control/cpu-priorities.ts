// Which deployments only receive copies (mirror_traffic or the shadow_traffic extension, no live
// traffic): their instances run at the lowest CPU priority so a shadow yields to live work when the
// machine is saturated (runtime: setCpuPriority). Pure.
import type { CpuPriority } from '../runtime/backend.js';
import type { DeploymentRecord, EndpointRecord } from '../store/store.js';

export function cpuPriorities(endpoints: readonly EndpointRecord[], deployments: readonly DeploymentRecord[]): Array<{ endpoint: string; deployment: string; priority: CpuPriority }> {
  const byName = new Map(endpoints.map((e) => [e.spec.name, e.spec]));
  return deployments.map((d) => {
    const ep = byName.get(d.spec.endpoint_name);
    const name = d.spec.name;
    const live = (ep?.traffic[name] ?? 0) > 0;
    const copied = (ep?.mirror_traffic[name] ?? 0) > 0 || (ep?.shadow_traffic?.[name] ?? 0) > 0;
    return { endpoint: d.spec.endpoint_name, deployment: name, priority: !live && copied ? 'idle' : 'normal' };
  });
}
