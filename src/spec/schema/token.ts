// The control-plane token resource (POST /api/v1/tokens, `switchyard token create`).
import { Type, type Static } from '@sinclair/typebox';
import { Choice, Int } from './fields.js';

/**
 * 'Switchyard Gateway' (an extension, docs/gateway.md): what a standalone gateway's token needs, reading
 * routing snapshots and reporting which one it serves, and nothing else.
 */
export const ROLES = ['Owner', 'Contributor', 'Reader', 'Switchyard Gateway'] as const;

/** Bounds of a token's lifetime: a minute to ten years. */
export const MIN_TOKEN_LIFETIME_SECONDS = 60;
export const MAX_TOKEN_LIFETIME_SECONDS = 10 * 366 * 86_400;

export const TokenInput = Type.Object({
  name: Type.String({
    format: 'principal-name', pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$', examples: ['ci'],
    description: "The principal: 1-64 characters, letters, digits, '.', '_', '@', '-' ('admin' is reserved)",
  }),
  role: Choice(ROLES, { description: 'Owner, Contributor, Reader or Switchyard Gateway (case-insensitive)', examples: ['Reader'] }),
  expires_in_seconds: Type.Optional(Int(MIN_TOKEN_LIFETIME_SECONDS, MAX_TOKEN_LIFETIME_SECONDS, {
    description: 'Lifetime (60 s to 10 years); without it the token lasts until revoked',
  })),
}, { title: 'token', additionalProperties: false });
export type TokenInput = Static<typeof TokenInput>;
