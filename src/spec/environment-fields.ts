// The fields an environment has, whether registered as an asset or written inline in a deployment:
// image, conda_file (parsed content), build, inference_config, os_type, interpreter, command.
import { SwitchyardError } from '../errors.js';
import type { EnvironmentFields, InferenceConfig } from './types.js';
import {
  expectInteger, expectObject, expectString, invalid, optionalString, refuseUnknownKeys, type InputObject,
} from './input-fields.js';

export type { EnvironmentFields } from './types.js';

export const ENVIRONMENT_FIELD_KEYS = ['image', 'conda_file', 'build', 'inference_config', 'os_type', 'interpreter', 'command'] as const;

const BUILD_KEYS = new Set(['path', 'dockerfile_path']);
const INFERENCE_KEYS = new Set(['liveness_route', 'readiness_route', 'scoring_route']);
const ROUTE_KEYS = new Set(['port', 'path']);

function readRoute(field: string, value: unknown): { port?: number; path: string } {
  const route = expectObject(field, value);
  refuseUnknownKeys(route, ROUTE_KEYS, field, 'environment');
  const path = expectString(`${field}.path`, route.path, { nonEmpty: true });
  if (!path.startsWith('/')) throw invalid(`${field}.path`, "a path starting with '/'", path);
  const out: { port?: number; path: string } = { path };
  if (route.port !== undefined && route.port !== null) out.port = expectInteger(`${field}.port`, route.port, 1, 65535);
  return out;
}

/** Reads the environment fields present in `body`; `prefix` names the object in messages. */
export function readEnvironmentFields(body: InputObject, prefix: string): EnvironmentFields {
  const p = (k: string) => (prefix ? `${prefix}.${k}` : k);
  const out: EnvironmentFields = {};
  const image = optionalString(p('image'), body.image);
  if (image !== undefined) out.image = image;
  if (body.conda_file !== undefined && body.conda_file !== null) {
    if (typeof body.conda_file === 'string') {
      throw new SwitchyardError('InvalidValue',
        `${p('conda_file')} must be the conda file's content as a map (the CLI reads the file next to the YAML), got the string ${JSON.stringify(body.conda_file)}.`);
    }
    out.conda_file = expectObject(p('conda_file'), body.conda_file);
  }
  if (body.build !== undefined && body.build !== null) {
    const build = expectObject(p('build'), body.build);
    refuseUnknownKeys(build, BUILD_KEYS, p('build'), 'environment');
    out.build = {};
    const path = optionalString(p('build.path'), build.path);
    if (path !== undefined) out.build.path = path;
    const dockerfile = optionalString(p('build.dockerfile_path'), build.dockerfile_path);
    if (dockerfile !== undefined) out.build.dockerfile_path = dockerfile;
  }
  if (body.inference_config !== undefined && body.inference_config !== null) {
    const ic = expectObject(p('inference_config'), body.inference_config);
    refuseUnknownKeys(ic, INFERENCE_KEYS, p('inference_config'), 'environment');
    const config: InferenceConfig = {};
    for (const key of INFERENCE_KEYS) {
      const k = key as keyof InferenceConfig;
      if (ic[k] !== undefined && ic[k] !== null) config[k] = readRoute(p(`inference_config.${k}`), ic[k]);
    }
    out.inference_config = config;
  }
  const osType = optionalString(p('os_type'), body.os_type);
  if (osType !== undefined) out.os_type = osType;
  const interpreter = optionalString(p('interpreter'), body.interpreter);
  if (interpreter !== undefined) out.interpreter = interpreter;
  if (body.command !== undefined && body.command !== null) {
    const command = body.command;
    if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string')) {
      throw invalid(p('command'), 'a non-empty list of strings (program and arguments)', command);
    }
    out.command = command as string[];
  }
  return out;
}
