// Artifact upload: the body is a tar.gz stream handed straight to the artifact store, which limits its
// size while hashing and writing it; nothing buffers the whole archive in memory.
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { SwitchyardError } from '../../errors.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { ArtifactInfo, ArtifactParams, ArtifactQuery } from '../schemas/artifact.js';
import { errorResponses } from '../schemas/common.js';

const ARCHIVE_TYPES = ['application/gzip', 'application/x-gzip', 'application/x-tar', 'application/octet-stream'];

export function registerArtifactRoutes(app: FastifyInstance, artifacts: ArtifactStore): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(ARCHIVE_TYPES, (_request, payload, done) => done(null, payload));

    scope.post<{ Querystring: Static<typeof ArtifactQuery> }>('/api/v1/artifacts', {
      schema: {
        summary: 'Upload a tar.gz of a folder (kind=dir) or of one file (kind=file); answers its digest',
        querystring: ArtifactQuery,
        response: { 200: ArtifactInfo, 201: ArtifactInfo, ...errorResponses(400, 401, 413) },
      },
    }, async (request, reply) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        throw new SwitchyardError('BadRequest', 'Send the archive as the body with Content-Type: application/gzip.');
      }
      const length = Number(request.headers['content-length']);
      const { info, created } = await artifacts.put(body, { kind: request.query.kind, name: request.query.name },
        Number.isFinite(length) ? length : undefined);
      return reply.code(created ? 201 : 200).send(info);
    });
  });

  app.get<{ Params: Static<typeof ArtifactParams> }>('/api/v1/artifacts/:digest', {
    schema: { summary: 'Metadata of an uploaded artifact', params: ArtifactParams, response: { 200: ArtifactInfo, ...errorResponses(404) } },
  }, async (request) => {
    const info = artifacts.get(request.params.digest);
    if (!info) throw new SwitchyardError('ArtifactNotFound', `Artifact ${request.params.digest} has not been uploaded.`);
    return info;
  });
}
