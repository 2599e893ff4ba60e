// Instance logs under load: a script printing megabytes is capped by rotation, get-logs merges the
// instances of a deployment oldest first, and a large response crosses the host intact.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeBackend, score, template, waitFor, type Harness } from './runtime-harness.js';

describe('instance logs and large bodies', () => {
  let h: Harness;
  before(() => {
    h = makeBackend({ logLimits: { maxBytes: 256 * 1024, files: 2 } });
  });
  after(async () => h.close());

  it('caps the disk used by a script that prints megabytes', async () => {
    assert.deepEqual(await h.backend.ensure(template({ deployment: 'spam', fixture: 'echo', environment: { registered: false }, instanceCount: 2 })), { ok: true });
    const [a, b] = h.backend.instances('ep1', 'spam');
    assert.equal((await score(b!.url!, 'hello from b')).status, 200);
    assert.equal((await score(a!.url!, 'spam:30000')).status, 200); // ~3.5 MB of output
    const dir = join(h.dataDir, 'logs', 'ep1', 'spam');
    await waitFor('the last spam line in the log', async () => (await h.backend.readLogs('ep1', 'spam', { container: 'inference-server', lines: 5 })).includes('spam line 029999'));
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['spam-0.log', 'spam-0.log.1', 'spam-1.log', 'storage-initializer.log']);
    for (const f of files) assert.ok(statSync(join(dir, f)).size <= 256 * 1024, `${f} is ${statSync(join(dir, f)).size} bytes`);

    const tail = (await h.backend.readLogs('ep1', 'spam', { container: 'inference-server', lines: 3 })).trimEnd().split('\n');
    assert.equal(tail.length, 3);
    assert.match(tail.at(-1)!, /^\[spam-0\] spam line 029999 y+$/);
    const both = await h.backend.readLogs('ep1', 'spam', { container: 'inference-server', lines: 5000 });
    // Oldest first across instances: spam-1's request came before the spam.
    const lines = both.trimEnd().split('\n');
    assert.ok(lines.length > 1000 && lines.length < 5000, `${lines.length} lines: what the two rotated files hold`);
    const b1 = lines.findIndex((l) => /^\[spam-1\] .*echo run #1$/.test(l));
    const firstSpam = lines.findIndex((l) => l.startsWith('[spam-0] spam line'));
    assert.ok(b1 >= 0 && firstSpam > b1, `spam-1's line (${b1}) comes before the spam (${firstSpam})`);
    const numbers = lines.filter((l) => l.startsWith('[spam-0] spam line')).map((l) => Number(/line (\d+)/.exec(l)![1]));
    assert.deepEqual(numbers, [...numbers].sort((x, y) => x - y));
  });

  it('sends a 5 MB response and takes a 5 MB request', async () => {
    const [a] = h.backend.instances('ep1', 'spam');
    const big = await score(a!.url!, 'big:5000000');
    assert.equal(big.status, 200);
    assert.equal(big.body.length, 5_000_002); // a JSON string: quotes around it
    const upload = 'z'.repeat(5_000_000);
    const echoed = await score(a!.url!, upload);
    assert.equal((JSON.parse(echoed.body) as { body: string }).body.length, 5_000_000);
  });
});
