// DeploymentSpec → DeploymentTemplate for the runtime backend. The revision hashes what an instance
// runs (model, code, environment, variables) and not instance_count: a count change scales the
// instances in place, anything else rolls them.
import { createHash } from 'node:crypto';
import { SwitchyardError } from '../errors.js';
import type { DeploymentSpec } from '../spec/types.js';
import type { DeploymentTemplate } from '../runtime/backend.js';
import { canonicalJson } from '../store/canonical-json.js';
import { deploymentMemoryLimit } from '../spec/memory-quantity.js';
import type { ArtifactInfo } from '../spec/types.js';

export interface ArtifactLookup {
  get(digest: string): ArtifactInfo | undefined;
  dirOf(digest: string): string;
}

export function revisionOf(spec: DeploymentSpec): string {
  const memory = deploymentMemoryLimit(spec);
  const runs = {
    model: spec.model ? { artifact: spec.model.artifact, name: spec.model.name, version: spec.model.version, type: spec.model.type } : null,
    code: spec.code_configuration ?? null,
    environment: spec.environment,
    env: spec.environment_variables,
    // Only when there is one, so the revisions of deployments without a limit stay what they were.
    ...(memory ? { memoryLimitBytes: memory.bytes } : {}),
  };
  return createHash('sha256').update(canonicalJson(runs)).digest('hex').slice(0, 12);
}

export function buildTemplate(spec: DeploymentSpec, artifacts: ArtifactLookup): DeploymentTemplate {
  const template: DeploymentTemplate = {
    endpoint: spec.endpoint_name,
    deployment: spec.name,
    revision: revisionOf(spec),
    instanceCount: spec.instance_count,
    environment: spec.environment,
    env: { ...spec.environment_variables },
    liveness: spec.liveness_probe,
    readiness: spec.readiness_probe,
    requestTimeoutMs: spec.request_settings.request_timeout_ms,
    maxConcurrentPerInstance: spec.request_settings.max_concurrent_requests_per_instance,
  };
  if (spec.instance_type) template.instanceType = spec.instance_type;
  const resources = spec.extra.resources;
  if (resources && typeof resources === 'object' && !Array.isArray(resources)) template.resources = resources as Record<string, unknown>;
  const memory = deploymentMemoryLimit(spec);
  if (memory) template.memoryLimitBytes = memory.bytes;
  if (spec.model) {
    const info = requireArtifact(artifacts, spec.model.artifact, 'model');
    template.model = {
      dir: artifacts.dirOf(info.digest), kind: info.kind, name: info.name,
      assetName: spec.model.name, assetVersion: spec.model.version, digest: info.digest,
    };
  }
  if (spec.code_configuration) {
    const info = requireArtifact(artifacts, spec.code_configuration.code, 'code');
    template.code = { dir: artifacts.dirOf(info.digest), scoringScript: spec.code_configuration.scoring_script, digest: info.digest };
  }
  return template;
}

function requireArtifact(artifacts: ArtifactLookup, digest: string, what: string): ArtifactInfo {
  const info = artifacts.get(digest);
  if (!info) throw new SwitchyardError('ArtifactNotFound', `The ${what} artifact ${digest} is missing from the artifact store.`);
  return info;
}
