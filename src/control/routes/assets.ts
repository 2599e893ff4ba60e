// Models and environments: same routes, same shapes, one registration function for both.
import type { FastifyInstance } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import type { AssetService } from '../asset-service.js';
import type { AssetWrite } from '../../store/store.js';
import { AssetParams, AssetVersionParams, ListOf, errorResponses } from '../schemas/common.js';
import { EnvironmentAsset, EnvironmentInput, ModelAsset, ModelInput } from '../schemas/asset.js';

interface AssetRoutes<T> {
  plural: 'models' | 'environments';
  input: TSchema;
  output: TSchema;
  create(body: unknown): AssetWrite<T>;
  list(): T[];
  versions(name: string): T[];
  get(name: string, version: string): T;
}

function registerAsset<T>(app: FastifyInstance, r: AssetRoutes<T>): void {
  const base = `/api/v1/${r.plural}`;
  app.post(base, {
    schema: {
      summary: `Register a ${r.plural.slice(0, -1)} version (immutable; same content again answers 200 with the existing one)`,
      body: r.input,
      response: { 200: r.output, 201: r.output, ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request, reply) => {
    const { asset, created } = r.create(request.body);
    return reply.code(created ? 201 : 200).send(asset);
  });
  app.get(base, {
    schema: { summary: `The latest version of each ${r.plural.slice(0, -1)}`, response: { 200: ListOf(r.output) } },
  }, async () => ({ value: r.list() }));
  app.get<{ Params: Static<typeof AssetParams> }>(`${base}/:name/versions`, {
    schema: { params: AssetParams, response: { 200: ListOf(r.output), ...errorResponses(404) } },
  }, async (request) => ({ value: r.versions(request.params.name) }));
  app.get<{ Params: Static<typeof AssetVersionParams> }>(`${base}/:name/versions/:version`, {
    schema: { params: AssetVersionParams, response: { 200: r.output, ...errorResponses(404) } },
  }, async (request) => r.get(request.params.name, request.params.version));
}

export function registerAssetRoutes(app: FastifyInstance, assets: AssetService): void {
  registerAsset(app, {
    plural: 'models', input: ModelInput, output: ModelAsset,
    create: (b) => assets.createModel(b), list: () => assets.listModels(),
    versions: (n) => assets.modelVersions(n), get: (n, v) => assets.getModel(n, v),
  });
  registerAsset(app, {
    plural: 'environments', input: EnvironmentInput, output: EnvironmentAsset,
    create: (b) => assets.createEnvironment(b), list: () => assets.listEnvironments(),
    versions: (n) => assets.environmentVersions(n), get: (n, v) => assets.getEnvironment(n, v),
  });
}
