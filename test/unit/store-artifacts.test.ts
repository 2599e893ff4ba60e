import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ArtifactStore, entryPathProblem } from '../../src/store/artifact-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { folderArchive, rawArchive } from '../integration/control-archives.js';

let dir: string;
let store: SqliteStore;
let artifacts: ArtifactStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-artifacts-'));
  store = new SqliteStore(join(dir, 'switchyard.db'));
  artifacts = new ArtifactStore({ root: join(dir, 'artifacts'), store, maxBytes: 4096 });
  await artifacts.init();
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (bytes: Buffer, kind: 'dir' | 'file' = 'dir', name = 'x') => artifacts.put(Readable.from([bytes]), { kind, name });
const fails = async (p: Promise<unknown>, code: string, message?: RegExp) =>
  assert.rejects(p, (e: any) => { assert.equal(e.code, code, e.message); if (message) assert.match(e.message, message); return true; });

describe('entryPathProblem', () => {
  const ok = ['a', 'a/b.txt', './a', 'dir/', 'a..b', '..a', 'a/..b/c'];
  for (const p of ok) it(`accepts ${p}`, () => assert.equal(entryPathProblem(p), null));
  const bad: Array<[string, RegExp]> = [
    ['/etc/passwd', /absolute/], ['\\x', /absolute/], ['C:/x', /absolute/], ['../x', /'\.\.'/], ['a/../../x', /'\.\.'/],
    ['a/..', /'\.\.'/], ['a\\..\\b', /'\.\.'/], ['', /empty/], ['a\0b', /NUL/],
  ];
  for (const [p, why] of bad) it(`refuses ${JSON.stringify(p)}`, () => assert.match(entryPathProblem(p) ?? '', why));
});

describe('ArtifactStore.put', () => {
  it('stores by the sha256 of the compressed bytes, read-only, and dedupes', async () => {
    const archive = await folderArchive({ 'a.txt': 'A', 'd/b.txt': 'B' });
    const first = await put(archive, 'dir', 'model');
    assert.equal(first.created, true);
    assert.equal(first.info.files, 2);
    assert.equal(first.info.size, archive.length);
    const target = artifacts.dirOf(first.info.digest);
    assert.equal(readFileSync(join(target, 'd/b.txt'), 'utf8'), 'B');
    assert.equal(statSync(join(target, 'a.txt')).mode & 0o777, 0o444);
    const second = await put(archive, 'dir', 'model');
    assert.equal(second.created, false);
    assert.deepEqual(second.info, first.info);
    assert.deepEqual(readdirSync(join(dir, 'artifacts', '.tmp')), [], 'no temp files left');
  });

  it('accepts a single file with kind=file', async () => {
    const { info } = await put(await folderArchive({ 'model.pkl': 'P' }), 'file', 'model.pkl');
    assert.equal(info.kind, 'file');
    assert.equal(info.files, 1);
  });

  it('refuses hostile archives, leaving nothing behind', async () => {
    await fails(put(rawArchive([{ name: 'x/../../escape', content: 'e' }])), 'InvalidArtifact', /"x\/\.\.\/\.\.\/escape"/);
    await fails(put(rawArchive([{ name: '/abs', content: 'e' }])), 'InvalidArtifact', /absolute/);
    await fails(put(rawArchive([{ name: 's', type: '2', link: '../../etc' }])), 'InvalidArtifact', /SymbolicLink/);
    await fails(put(rawArchive([{ name: 'f', content: 'x' }, { name: 'h', type: '1', link: 'f' }])), 'InvalidArtifact', /"h".*Link/);
    await fails(put(rawArchive([{ name: 'fifo', type: '3' }])), 'InvalidArtifact', /CharacterDevice/);
    await fails(put(gzipSync(Buffer.from('plain text, not a tar'))), 'InvalidArtifact');
    await fails(put(Buffer.from('neither gzip nor tar')), 'InvalidArtifact');
    await fails(put(Buffer.alloc(0)), 'InvalidArtifact', /empty/);
    assert.ok(!existsSync(join(dir, '..', 'escape')));
    assert.deepEqual(readdirSync(join(dir, 'artifacts', '.tmp')), []);
    const stored = readdirSync(join(dir, 'artifacts')).filter((n) => n !== '.tmp');
    assert.equal(stored.length, 2, 'only the two good artifacts');
  });

  it('refuses over the size limit, by declared length or by counting', async () => {
    await fails(artifacts.put(Readable.from([Buffer.alloc(10)]), { kind: 'dir', name: 'x' }, 10_000), 'PayloadTooLarge');
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(1000, 7));
    await fails(artifacts.put(Readable.from(chunks), { kind: 'dir', name: 'x' }), 'PayloadTooLarge', /4096 bytes/);
    assert.deepEqual(readdirSync(join(dir, 'artifacts', '.tmp')), []);
  });
});

describe('ArtifactStore.put: bombs, floods and conflicts', () => {
  let small: ArtifactStore;
  before(async () => {
    small = new ArtifactStore({ root: join(dir, 'small'), store, limits: { maxUnpackedBytes: 64 * 1024, maxEntries: 20, maxPathDepth: 4 } });
    await small.init();
  });
  const putSmall = (bytes: Buffer, kind: 'dir' | 'file' = 'dir') => small.put(Readable.from([bytes]), { kind, name: 'x' });
  const noServerPath = async (p: Promise<unknown>, code: string, message: RegExp) =>
    assert.rejects(p, (e: any) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      assert.ok(!e.message.includes(dir), `no server path in: ${e.message}`);
      return true;
    });

  it('refuses a file and then a folder (or file) under the same name, with a 4xx and no server path', async () => {
    await noServerPath(putSmall(rawArchive([{ name: 'a', content: 'x' }, { name: 'a/b', content: 'y' }])), 'InvalidArtifact', /inside "a", which the archive holds as a file/);
    await noServerPath(putSmall(rawArchive([{ name: 'a/b', content: 'y' }, { name: 'a', content: 'x' }])), 'InvalidArtifact', /both a file and a folder/);
    await noServerPath(putSmall(rawArchive([{ name: 'a', content: 'x' }, { name: './a', content: 'y' }])), 'InvalidArtifact', /appears twice/);
    await noServerPath(putSmall(rawArchive([{ name: 'd', type: '5' }, { name: 'd/', type: '5' }, { name: 'd/f', content: 'ok' }])).then(() => { throw Object.assign(new Error('accepted'), { code: 'InvalidArtifact' }); }), 'InvalidArtifact', /accepted/);
  });

  it('refuses entries past the count or depth limit', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}`, content: '' }));
    await noServerPath(putSmall(rawArchive(many)), 'ArtifactLimitExceeded', /more than 20 entries/);
    await noServerPath(putSmall(rawArchive([{ name: 'a/b/c/d/e', content: 'deep' }])), 'ArtifactLimitExceeded', /5 folders deep; the server's limit is 4/);
  });

  it('refuses by declared size at the header, and stops gunzip past the byte budget', async () => {
    const header = rawArchive([{ name: 'big', content: 'x'.repeat(70 * 1024) }]);
    await noServerPath(putSmall(header), 'ArtifactLimitExceeded', /unpacks to more than 65536 bytes/);
    // A tiny valid tar followed by megabytes of zeros (the parser would ignore them; gunzip must not run on).
    const tail = Buffer.concat([gunzipOf(rawArchive([{ name: 'ok', content: 'ok' }])), Buffer.alloc(8 * 1024 * 1024)]);
    await noServerPath(putSmall(gzipSync(tail)), 'InvalidArtifact', /after its end-of-archive marker/);
    assert.deepEqual(readdirSync(join(dir, 'small', '.tmp')), []);
  });
});

function gunzipOf(b: Buffer): Buffer {
  return gunzipSync(b);
}

