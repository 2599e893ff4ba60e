// The keys each YAML file may hold (SPEC §1), and the check that refuses any other key, naming it,
// the file and the line. A nested schema is checked only where the value is a mapping: the type of
// each value is checked by the loaders (and again by the server).
import { SwitchyardError } from '../../errors.js';
import { where, type YamlMap, type YamlSource } from './read.js';

/** `true`: any value (a scalar, or a free-form map such as tags). A KeySchema: a mapping of those keys. */
export type KeySchema = { readonly [key: string]: KeySchema | true };

const probe: KeySchema = { initial_delay: true, period: true, timeout: true, success_threshold: true, failure_threshold: true };
const route: KeySchema = { port: true, path: true };
const inferenceConfig: KeySchema = { liveness_route: route, readiness_route: route, scoring_route: route };
const build: KeySchema = { path: true, dockerfile_path: true };

export const ENDPOINT_KEYS: KeySchema = {
  $schema: true, name: true, description: true, tags: true, auth_mode: true, traffic: true, mirror_traffic: true,
  compute: true, identity: true, public_network_access: true,
};

/** Inline environment (in a deployment) and the environment asset share these keys. */
const inlineEnvironment: KeySchema = {
  image: true, conda_file: true, build, inference_config: inferenceConfig, os_type: true,
  interpreter: true, command: true,
};

export const DEPLOYMENT_KEYS: KeySchema = {
  $schema: true, name: true, endpoint_name: true, description: true, tags: true, type: true,
  model: { path: true, name: true, version: true, type: true, description: true, tags: true },
  code_configuration: { code: true, scoring_script: true },
  environment: inlineEnvironment,
  environment_variables: true,
  instance_type: true,
  instance_count: true,
  request_settings: { request_timeout_ms: true, max_concurrent_requests_per_instance: true, max_queue_wait_ms: true },
  liveness_probe: probe,
  readiness_probe: probe,
  scale_settings: {
    type: true, min_instances: true, max_instances: true, target_utilization_percentage: true, polling_interval: true,
  },
  app_insights_enabled: true, egress_public_network_access: true, data_collector: true, resources: true,
  model_mount_path: true,
};

export const MODEL_KEYS: KeySchema = {
  $schema: true, name: true, version: true, path: true, type: true, description: true, tags: true,
};

export const ENVIRONMENT_KEYS: KeySchema = {
  $schema: true, name: true, version: true, description: true, tags: true, ...inlineEnvironment,
};

const isMapping = (v: unknown): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses the first key that `schema` does not list, naming the key, the file and its line. */
export function checkKeys(doc: YamlMap, schema: KeySchema, source: YamlSource, kind: string, prefix: string[] = []): void {
  for (const [key, value] of Object.entries(doc)) {
    const sub = schema[key];
    const path = [...prefix, key];
    if (sub === undefined) {
      const allowed = Object.keys(schema).filter((k) => k !== '$schema').join(', ');
      throw new SwitchyardError(
        'UnknownKey',
        `unknown key '${path.join('.')}' in ${source.file ? `${kind} ${where(source, path)}` : `the ${kind} given on the command line`}; allowed keys${prefix.length ? ` under ${prefix.join('.')}` : ''}: ${allowed}`,
        { key: path.join('.'), file: source.file },
      );
    }
    if (sub !== true && isMapping(value)) checkKeys(value, sub, source, kind, path);
  }
}
