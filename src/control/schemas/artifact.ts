import { Type } from '@sinclair/typebox';

export const ArtifactInfo = Type.Object({
  digest: Type.String({ description: 'sha256:<64 hex> of the uploaded tar.gz' }),
  kind: Type.Union([Type.Literal('dir'), Type.Literal('file')]),
  name: Type.String(),
  size: Type.Integer(),
  files: Type.Integer(),
  created_at: Type.String(),
});

export const ArtifactQuery = Type.Object({
  kind: Type.Union([Type.Literal('dir'), Type.Literal('file')], { description: "'dir': a folder's contents; 'file': one file" }),
  name: Type.String({
    minLength: 1, maxLength: 255, pattern: '^(?!\\.\\.?$)[^/\\\\\\u0000]+$',
    description: "The original base name of the folder or file (no '/', '\\', NUL; not '.' or '..')",
  }),
});

export const ArtifactParams = Type.Object({ digest: Type.String() });
