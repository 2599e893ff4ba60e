import { Type } from '@sinclair/typebox';
import { StringMap } from './common.js';

const AssetName = Type.String({ description: "Letters, digits, '.', '_', '-'" });
const AssetVersion = Type.Union([Type.String(), Type.Integer()], { description: 'Omitted: one above the highest integer version' });

export const ModelInput = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: AssetName,
  version: Type.Optional(AssetVersion),
  path: Type.String({ description: 'Digest of the uploaded folder or file (sha256:...)' }),
  type: Type.Optional(Type.String({ description: 'custom_model (default), mlflow_model, triton_model' })),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap),
});

export const ModelAsset = Type.Object({
  name: Type.String(),
  version: Type.String(),
  type: Type.String(),
  path: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap,
  created_at: Type.String(),
});

const Route = Type.Object({ port: Type.Optional(Type.Integer()), path: Type.String() });
export const InferenceConfig = Type.Object({
  liveness_route: Type.Optional(Route),
  readiness_route: Type.Optional(Route),
  scoring_route: Type.Optional(Route),
});
export const BuildContext = Type.Object({
  path: Type.Optional(Type.String()),
  dockerfile_path: Type.Optional(Type.String()),
});

export const environmentFields = {
  image: Type.Optional(Type.String()),
  conda_file: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "The conda file's parsed content" })),
  build: Type.Optional(BuildContext),
  inference_config: Type.Optional(InferenceConfig),
  os_type: Type.Optional(Type.String()),
  interpreter: Type.Optional(Type.String({ description: 'Switchyard: Python interpreter for this environment' })),
  command: Type.Optional(Type.Array(Type.String(), { description: 'Switchyard: command of a custom scoring server' })),
};

export const EnvironmentInput = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: AssetName,
  version: Type.Optional(AssetVersion),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap),
  ...environmentFields,
});

export const EnvironmentAsset = Type.Object({
  name: Type.String(),
  version: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap,
  created_at: Type.String(),
  ...environmentFields,
});
