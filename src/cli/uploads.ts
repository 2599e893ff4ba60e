// Uploading the local paths a loaded YAML document names (model, code) and putting their digests in
// the request body, so the server never reads the user's working directory.
import { basename } from 'node:path';
import type { SwitchyardClient } from '../sdk/client.js';
import type { PendingUpload } from './yaml/values.js';
import type { Io } from './command.js';

function setAt(body: Record<string, unknown>, at: readonly string[], value: string): void {
  let cur = body;
  for (const key of at.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  cur[at[at.length - 1]!] = value;
}

export async function uploadPending<T extends object>(client: SwitchyardClient, body: T, uploads: readonly PendingUpload[], io: Io): Promise<T> {
  const done = new Map<string, string>();
  for (const u of uploads) {
    let digest = done.get(u.localPath);
    if (!digest) {
      if (io.stderrIsTTY) io.err(`Uploading ${basename(u.localPath)} (${u.at.join('.')})...`);
      let info;
      try {
        info = await client.uploadArtifact(u.localPath);
      } catch (e) {
        if (io.stderrIsTTY) io.err('\n');
        throw e;
      }
      if (io.stderrIsTTY) io.err(` ${info.files} file(s), ${info.size} bytes\n`);
      digest = info.digest;
      done.set(u.localPath, digest);
    }
    setAt(body as Record<string, unknown>, u.at, digest);
  }
  return body;
}
