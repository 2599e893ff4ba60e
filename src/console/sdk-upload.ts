// The browser's stand-in for src/sdk/upload.ts (see vite.config.ts): the console never uploads folders.
import type { PackedArtifact } from '../sdk/upload.js';

export async function packArtifact(localPath: string): Promise<PackedArtifact> {
  throw new Error(`Uploading ${localPath} needs the CLI or the Node SDK; the web console does not upload local folders.`);
}
