// The environment resource (POST /api/v1/environments, `environment create -f`) and the fields an
// environment has wherever it is written: registered as an asset, or inline in a deployment.
import { Type, type Static } from '@sinclair/typebox';
import { AnyMap, AssetName, AssetVersion, Int, SchemaHint, StringMap } from './fields.js';

const Route = Type.Object({
  port: Type.Optional(Int(1, 65535)),
  path: Type.String({ pattern: '^/', 'x-expected': "a path starting with '/'" }),
}, { additionalProperties: false });

export const InferenceConfig = Type.Object({
  liveness_route: Type.Optional(Route),
  readiness_route: Type.Optional(Route),
  scoring_route: Type.Optional(Route),
}, { additionalProperties: false });

export const BuildContext = Type.Object({
  path: Type.Optional(Type.String()),
  dockerfile_path: Type.Optional(Type.String()),
}, { additionalProperties: false });

/** Shared by the environment asset and an inline environment. `interpreter` and `command` are Switchyard extensions. */
export const environmentFields = {
  image: Type.Optional(Type.String()),
  conda_file: Type.Optional(AnyMap({
    description: "The conda file's parsed content (the CLI reads the file named in the YAML)",
    'x-expected': "the conda file's content as a map (the CLI reads the file named in the YAML)",
  })),
  build: Type.Optional(BuildContext),
  inference_config: Type.Optional(InferenceConfig),
  os_type: Type.Optional(Type.String()),
  interpreter: Type.Optional(Type.String({ description: 'Switchyard extension: the Python interpreter for this environment' })),
  command: Type.Optional(Type.Array(Type.String(), {
    minItems: 1, description: 'Switchyard extension: the command of a custom scoring server (program and arguments)',
  })),
};
export const ENVIRONMENT_FIELD_KEYS = Object.keys(environmentFields) as Array<keyof typeof environmentFields>;

export const EnvironmentFields = Type.Object(environmentFields);
export type EnvironmentFields = Static<typeof EnvironmentFields>;

export const EnvironmentInput = Type.Object({
  $schema: SchemaHint(),
  name: AssetName({ examples: ['sklearn-env'] }),
  version: Type.Optional(AssetVersion()),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap()),
  ...environmentFields,
}, { title: 'environment', additionalProperties: false });
export type EnvironmentInput = Static<typeof EnvironmentInput>;

/** An environment version as stored and shown. */
export const EnvironmentAsset = Type.Object({
  name: Type.String(),
  version: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap(),
  created_at: Type.String(),
  ...environmentFields,
});
