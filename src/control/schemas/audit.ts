import { Type } from '@sinclair/typebox';

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  principal: Type.String({ description: "Who (a token's name, 'admin', or 'anonymous' without a valid token)" }),
  role: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'The action of src/control/permissions.ts' }),
  target: Type.String({ description: 'The resource, e.g. endpoints/my-ep/deployments/blue' }),
  status: Type.Integer({ description: 'HTTP status of the answer' }),
  outcome: Type.String({ description: 'Succeeded, Denied (401/403) or Failed' }),
  code: Type.Union([Type.String(), Type.Null()], { description: 'Error code of a refusal or failure' }),
});

export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Newest entries to answer (default 100)' })),
});
