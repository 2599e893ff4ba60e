import { Type } from '@sinclair/typebox';

export const TokenInput = Type.Object({
  name: Type.String({ description: "The principal: 1-64 characters, letters, digits, '.', '_', '@', '-' ('admin' is reserved)" }),
  role: Type.String({ description: 'Owner, Contributor or Reader (case-insensitive)' }),
  expires_in_seconds: Type.Optional(Type.Integer({ description: 'Lifetime (60 s to 10 years); without it the token lasts until revoked' })),
}, { additionalProperties: false });

const tokenFields = {
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  created_at: Type.String(),
  created_by: Type.String({ description: 'The principal that created it' }),
  expires_at: Type.Optional(Type.String({ description: 'When it stops working (absent: never)' })),
};

/** A token without its secret (list, revoke). The response schema drops anything else. */
export const TokenView = Type.Object({ ...tokenFields, revoked_at: Type.Optional(Type.String()) });

/** The answer to create: the only time the token is shown. */
export const CreatedToken = Type.Object({ ...tokenFields, token: Type.String({ description: 'Shown once; only its sha256 is stored' }) });

export const TokenParams = Type.Object({ id: Type.String() });
