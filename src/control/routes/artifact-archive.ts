// GET /api/v1/artifacts/:digest/archive: what a Kubernetes pod's storage-initializer downloads, the
// artifact as a tar.gz of its contents (a folder's files, or the one file), packed from the extracted
// artifact as it streams. Not for users: the only credential it takes is a deployment's fetch token
// (control/deployment-credentials.ts), short-lived and scoped to that deployment's artifacts, which the
// Kubernetes backend puts in the deployment's Secret; user tokens are not accepted here.
import { readdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import * as tar from 'tar';
import { SwitchyardError } from '../../errors.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import type { Store } from '../../store/store.js';
import type { DeploymentCredentials } from '../deployment-credentials.js';
import { ArtifactParams } from '../schemas/artifact.js';
import { errorResponses } from '../schemas/common.js';

export function registerArtifactArchiveRoute(app: FastifyInstance, deps: { artifacts: ArtifactStore; store: Store; credentials: DeploymentCredentials }): void {
  app.get<{ Params: Static<typeof ArtifactParams> }>('/api/v1/artifacts/:digest/archive', {
    // Its own credential: the fetch token, checked below (the bearer-token hook skips public routes).
    config: { public: true },
    schema: {
      summary: 'The artifact as tar.gz, for a Kubernetes storage-initializer (Authorization: Bearer <fetch token of the deployment>)',
      params: ArtifactParams,
      response: { ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    const { digest } = request.params;
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new SwitchyardError('Unauthorized', 'Send the deployment\'s fetch token as Authorization: Bearer <token> (the storage-initializer reads it from the deployment\'s Secret).');
    const scope = deps.credentials.verifyFetchToken(token, digest);
    const dep = deps.store.getDeployment(scope.endpoint, scope.deployment);
    if (!dep || dep.provisioning_state === 'Deleting') {
      throw new SwitchyardError('Forbidden', `The fetch token belongs to deployment ${scope.endpoint}/${scope.deployment}, which no longer exists.`);
    }
    const info = deps.artifacts.get(digest);
    if (!info) throw new SwitchyardError('ArtifactNotFound', `Artifact ${digest} is not in the artifact store.`);
    const dir = deps.artifacts.dirOf(digest);
    const entries = (await readdir(dir)).sort();
    request.log.info({ endpoint: scope.endpoint, deployment: scope.deployment, digest }, 'artifact archive served to a storage-initializer');
    return reply.type('application/gzip').send(tar.c({ gzip: true, cwd: dir, portable: true }, entries));
  });
}
