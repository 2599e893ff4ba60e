import { Type } from '@sinclair/typebox';
import { TokenInput } from '../../spec/schema/token.js';

export { TokenInput };

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
