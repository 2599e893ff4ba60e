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

export const DeniedAttempt = Type.Object({
  window: Type.String({ description: 'Start of the minute counted' }),
  source: Type.String({ description: 'Source address (IPv6 by /64), or (other) when too many sources failed at once' }),
  principal: Type.String({ description: "The principal of a 403; 'anonymous' without a valid token" }),
  action: Type.String({ description: "The route's action, or '-' for a path that matched no route" }),
  reason: Type.String({ description: 'missing-token, invalid-token, expired-token, forbidden or rate-limited' }),
  status: Type.Integer({ description: 'HTTP status of the last answer counted' }),
  count: Type.Integer(),
  first_at: Type.String(),
  last_at: Type.String(),
});
