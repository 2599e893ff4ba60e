import { Type } from '@sinclair/typebox';

export const Operation = Type.Object({
  id: Type.String(),
  kind: Type.Union(['endpoint.create', 'endpoint.update', 'endpoint.delete', 'deployment.create', 'deployment.update', 'deployment.delete']
    .map((k) => Type.Literal(k))),
  endpoint: Type.String(),
  deployment: Type.Optional(Type.String()),
  status: Type.Union([Type.Literal('Running'), Type.Literal('Succeeded'), Type.Literal('Failed')]),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  created_at: Type.String(),
  ended_at: Type.Optional(Type.String()),
});

export const OperationParams = Type.Object({ id: Type.String() });
export const OperationQuery = Type.Object({
  wait: Type.Optional(Type.Number({ minimum: 0, description: 'Seconds to wait for the end (at most 60)' })),
});
