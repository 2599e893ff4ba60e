// Model and environment assets: registered by name and version, immutable once created.
import { SwitchyardError } from '../errors.js';
import type { EnvironmentAsset, ModelAsset } from '../spec/types.js';
import { normaliseEnvironmentInput, normaliseModelInput } from '../spec/asset-input.js';
import type { AssetWrite, Store } from '../store/store.js';

export class AssetService {
  constructor(private readonly store: Store) {}

  createModel(body: unknown): AssetWrite<ModelAsset> {
    const content = normaliseModelInput(body);
    if (!this.store.getArtifact(content.path)) {
      throw new SwitchyardError('ArtifactNotFound',
        `Model path ${content.path} has not been uploaded. Upload the folder or file first (POST /api/v1/artifacts).`);
    }
    return this.store.createModel(content);
  }

  listModels(): ModelAsset[] {
    return this.store.listModels();
  }

  modelVersions(name: string): ModelAsset[] {
    const versions = this.store.listModelVersions(name);
    if (!versions.length) throw new SwitchyardError('ModelNotFound', `Model ${JSON.stringify(name)} is not registered.`);
    return versions;
  }

  getModel(name: string, version: string): ModelAsset {
    const asset = this.store.getModel(name, version);
    if (!asset) throw new SwitchyardError('ModelNotFound', `Model ${name}:${version} is not registered.`);
    return asset;
  }

  createEnvironment(body: unknown): AssetWrite<EnvironmentAsset> {
    return this.store.createEnvironment(normaliseEnvironmentInput(body));
  }

  listEnvironments(): EnvironmentAsset[] {
    return this.store.listEnvironments();
  }

  environmentVersions(name: string): EnvironmentAsset[] {
    const versions = this.store.listEnvironmentVersions(name);
    if (!versions.length) throw new SwitchyardError('EnvironmentNotFound', `Environment ${JSON.stringify(name)} is not registered.`);
    return versions;
  }

  getEnvironment(name: string, version: string): EnvironmentAsset {
    const asset = this.store.getEnvironment(name, version);
    if (!asset) throw new SwitchyardError('EnvironmentNotFound', `Environment ${name}:${version} is not registered.`);
    return asset;
  }
}
