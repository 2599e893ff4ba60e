// The model resource (POST /api/v1/models, `model create -f`) and a model written inline in a deployment.
import { Type, type Static } from '@sinclair/typebox';
import { AssetName, AssetVersion, Choice, Digest, Literals, SchemaHint, StringMap } from './fields.js';

export const MODEL_TYPES = ['custom_model', 'mlflow_model', 'triton_model'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

const modelFields = {
  $schema: SchemaHint(),
  version: Type.Optional(AssetVersion()),
  type: Type.Optional(Choice(MODEL_TYPES, { default: 'custom_model' })),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap()),
};

export const ModelInput = Type.Object({
  name: AssetName({ examples: ['sklearn-model'] }),
  path: Digest({ description: 'Digest of the uploaded folder or file (sha256:...)', examples: ['./model'] }),
  ...modelFields,
}, { title: 'model', additionalProperties: false });
export type ModelInput = Static<typeof ModelInput>;

/** A deployment's inline model: the anonymous asset is named after the deployment unless `name` says otherwise. */
export const InlineModel = Type.Object({
  path: Digest({ description: 'Digest of the uploaded model folder or file' }),
  name: Type.Optional(AssetName()),
  ...modelFields,
}, { additionalProperties: false });

/** A model version as stored and shown. */
export const ModelAsset = Type.Object({
  name: Type.String(),
  version: Type.String(),
  type: Literals(MODEL_TYPES),
  path: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap(),
  created_at: Type.String(),
});
