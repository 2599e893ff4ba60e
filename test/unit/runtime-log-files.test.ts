import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LineSplitter, mergeTails, readLastLines, readLastLinesRotated, RotatingLog, splitStamp } from '../../src/runtime/local/log-files.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rotating instance logs', () => {
  it('stamps lines and rotates by size, keeping a bounded number of files', () => {
    const path = join(dir, 'blue-0.log');
    const log = new RotatingLog(path, { maxBytes: 1000, files: 3 });
    for (let i = 0; i < 200; i++) log.write(`line ${i} ${'x'.repeat(40)}`);
    log.close();
    assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`));
    assert.equal(existsSync(`${path}.3`), false);
    for (const p of [path, `${path}.1`, `${path}.2`]) assert.ok(statSync(p).size <= 1000, p);
    const last = readFileSync(path, 'utf8').trim().split('\n').pop()!;
    assert.match(last, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z line 199 x+$/);
  });

  it('writes a batch of lines with one stamp and still rotates inside the batch', () => {
    const path = join(dir, 'batch.log');
    const log = new RotatingLog(path, { maxBytes: 1000, files: 2 });
    log.writeLines(Array.from({ length: 60 }, (_, i) => `batch ${i} ${'y'.repeat(30)}`));
    log.close();
    for (const p of [path, `${path}.1`]) assert.ok(statSync(p).size <= 1000, p);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.match(lines.at(-1)!, / batch 59 y+$/);
    assert.equal(new Set(lines.map((l) => l.slice(0, 24))).size, 1, 'one stamp for the batch');
  });

  it('reads the last lines across rotated files, oldest first', async () => {
    const lines = await readLastLinesRotated(join(dir, 'blue-0.log'), 30, 3);
    assert.equal(lines.length, 30);
    assert.deepEqual(lines.map((l) => Number(/line (\d+)/.exec(l)![1])), Array.from({ length: 30 }, (_, i) => 170 + i));
  });

  it('reads the tail of a large file without reading all of it', async () => {
    const path = join(dir, 'big.log');
    writeFileSync(path, Array.from({ length: 50_000 }, (_, i) => `row ${i}`).join('\n') + '\n');
    assert.deepEqual(await readLastLines(path, 3), ['row 49997', 'row 49998', 'row 49999']);
    assert.deepEqual(await readLastLines(join(dir, 'missing.log'), 3), []);
    assert.deepEqual(await readLastLines(path, 0), []);
  });

  it('splits streams into lines, across chunks, and cuts very long lines', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l), 10);
    s.push(Buffer.from('ab'));
    s.push(Buffer.from('c\r\nd'));
    s.push(Buffer.from('e\n0123456789abcdef'));
    s.flush();
    assert.deepEqual(out, ['abc', 'de', '0123456789', 'abcdef']);
  });

  it('merges several instances by time and prefixes their names', () => {
    const merged = mergeTails(
      [
        { source: 'blue-0', lines: ['2024-01-01T00:00:00.000Z a', '2024-01-01T00:00:02.000Z c'] },
        { source: 'blue-1', lines: ['2024-01-01T00:00:01.000Z b', '2024-01-01T00:00:03.000Z d'] },
      ],
      3,
    );
    assert.deepEqual(merged, ['[blue-1] b', '[blue-0] c', '[blue-1] d']);
    assert.deepEqual(splitStamp('no stamp here'), { stamp: '', text: 'no stamp here' });
  });
});
