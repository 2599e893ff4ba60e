// The deployment's bodies and view are declared once in src/spec/schema/deployment.ts; here are the
// answers of the routes that are not the resource itself (202s, logs).
import { Type } from '@sinclair/typebox';
import { Operation } from './operation.js';
import { DeploymentInput, DeploymentPatch, DeploymentView } from '../../spec/schema/deployment.js';

export { DeploymentInput, DeploymentPatch, DeploymentView };

export const DeploymentAccepted = Type.Object({ operation: Operation, deployment: DeploymentView });

export const LogsQuery = Type.Object({
  lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'default 5000' })),
  container: Type.Optional(Type.Union([Type.Literal('inference-server'), Type.Literal('storage-initializer')])),
});
