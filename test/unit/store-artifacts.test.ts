import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
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
