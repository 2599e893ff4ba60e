// Hostile uploads against a real control plane (real HTTP, real SQLite): a gzip bomb whose single
// entry declares a gigabyte, a small tar followed by a gigabyte of zeros, 100k empty entries, and a
// file `a` followed by `a/b`. Each is refused with a 4xx and a stable code, without a server path in
// the message, and the server's memory stays bounded while it refuses (sampled during the upload:
// the server runs in this process, so its RSS is this process's).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startHarness, removeDir, type Harness } from './control-harness.js';
import { rawArchive } from './control-archives.js';

let h: Harness;
const MiB = 1024 * 1024;
const CAP = 64 * MiB;

before(async () => {
  h = await startHarness(undefined, { security: { maxUnpackedBytes: CAP, maxEntries: 50_000 } });
});
after(async () => {
  await h.close();
  removeDir(h.dataDir);
});

/** One ustar header block for a regular file of `size` bytes (the size field is 11 octal digits). */
function fileHeader(name: string, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0);
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(size.toString(8).padStart(11, '0') + '\0', 124);
  b.write('00000000000\0', 136);
  b.write('        ', 148);
  b.write('0', 156);
  b.write('ustar\0', 257);
  b.write('00', 263);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return b;
}

/** `n` MiB of zeros as concatenated gzip members (valid gzip; tiny to send, huge to inflate). */
function zeroMembers(n: number): Buffer {
  const member = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: n / 16 }, () => member));
}

async function upload(body: Buffer): Promise<{ status: number; body: any; peakRssDelta: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  try {
    const res = await fetch(`${h.url}/api/v1/artifacts?kind=dir&name=bomb`, {
      method: 'POST', body, headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/gzip' },
    });
    const parsed = await res.json();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { status: res.status, body: parsed, peakRssDelta: peak - base };
  } finally {
    clearInterval(sampler);
  }
}

function assertRefused(r: { status: number; body: any }, status: number, code: string, message: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code);
  assert.match(r.body.error.message, message);
  assert.ok(!r.body.error.message.includes(h.dataDir), 'no server path in the message');
}

function assertNothingLeft(): void {
  const root = join(h.dataDir, 'artifacts');
  assert.deepEqual(readdirSync(join(root, '.tmp')), [], 'no temp file or folder left');
  assert.deepEqual(readdirSync(root).filter((n) => n !== '.tmp'), [], 'nothing stored');
}

describe('upload bombs and floods', () => {
  it('a 1 GiB entry declared in a 1 MiB upload is refused at its header, memory bounded', async () => {
    const bomb = Buffer.concat([gzipSync(fileHeader('zeros.bin', 1024 * MiB)), zeroMembers(1024)]);
    assert.ok(bomb.length < 2 * MiB, `${bomb.length} bytes sent`);
    const r = await upload(bomb);
    assertRefused(r, 413, 'ArtifactLimitExceeded', /unpacks to more than 67108864 bytes/);
    assert.ok(r.peakRssDelta < 200 * MiB, `peak RSS grew by ${(r.peakRssDelta / MiB).toFixed(0)} MiB`);
    assertNothingLeft();
  });

  it('a small valid tar followed by 1 GiB of zeros stops gunzip past 1 MiB of trailing data, memory bounded', async () => {
    const bomb = Buffer.concat([rawArchive([{ name: 'ok.txt', content: 'ok' }]), zeroMembers(1024)]);
    const r = await upload(bomb);
    assertRefused(r, 400, 'InvalidArtifact', /bytes after its end-of-archive marker/);
    assert.ok(r.peakRssDelta < 200 * MiB, `peak RSS grew by ${(r.peakRssDelta / MiB).toFixed(0)} MiB`);
    assertNothingLeft();
  });

  it('100k empty entries are refused while checking, before anything is written', async () => {
    const blocks: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) blocks.push(fileHeader(`f${i}`, 0));
    blocks.push(Buffer.alloc(1024));
    const flood = gzipSync(Buffer.concat(blocks), { level: 1 });
    const started = performance.now();
    const r = await upload(flood);
    console.log(`100k entries refused in ${(performance.now() - started).toFixed(0)} ms`);
    assertRefused(r, 413, 'ArtifactLimitExceeded', /more than 50000 entries/);
    assertNothingLeft();
  });

  it('a file `a` followed by `a/b` is a 400 naming the conflict, not a 500 with a server path', async () => {
    const r = await upload(rawArchive([{ name: 'a', content: 'x' }, { name: 'a/b', content: 'y' }]));
    assertRefused(r, 400, 'InvalidArtifact', /"a\/b" is inside "a", which the archive holds as a file/);
    assertNothingLeft();
  });

  it('a normal folder still uploads', async () => {
    const r = await upload(rawArchive([{ name: 'code/', type: '5' }, { name: 'code/score.py', content: 'def run(x): return x\n' }]));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.files, 1);
  });
});
