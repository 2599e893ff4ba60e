// Builds tar.gz archives for the artifact tests: well-formed folders and files, and hostile ones
// (absolute paths, '..', symlinks, hard links) written header by header.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';

/** tar.gz of a folder's contents: `files` maps relative paths to contents. */
export async function folderArchive(files: Record<string, string>): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-archive-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  const chunks: Buffer[] = [];
  const stream = tar.c({ gzip: true, cwd: dir, portable: true }, Object.keys(files).length ? ['.'] : []);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** One raw ustar header block (512 bytes) for a hand-made archive. */
function header(name: string, type: string, size: number, linkname = ''): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(size.toString(8).padStart(11, '0') + '\0', 124);
  b.write('00000000000\0', 136);
  b.write('        ', 148);
  b.write(type, 156);
  b.write(linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257);
  b.write('00', 263);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return b;
}

/** A gzip'ed tar with entries written as given (no sanitising): for the refusal tests. */
export function rawArchive(entries: Array<{ name: string; type?: '0' | '1' | '2' | '3' | '5'; content?: string; link?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const content = Buffer.from(e.content ?? '');
    blocks.push(header(e.name, e.type ?? '0', e.type && e.type !== '0' ? 0 : content.length, e.link));
    if ((!e.type || e.type === '0') && content.length) {
      blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
