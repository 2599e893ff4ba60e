// Models and environments: declared once in src/spec/schema/ (bodies and stored versions).
export { EnvironmentAsset, EnvironmentInput } from '../../spec/schema/environment.js';
export { ModelAsset, ModelInput } from '../../spec/schema/model.js';
