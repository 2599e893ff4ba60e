// HTTP/1.1 field and chunk syntax shared by the gateway's two parsers (request-parser.ts for clients,
// response-parser.ts for instances), with the same rules as Node's llhttp in its default strict mode
// (checked differentially in test/integration/gateway-parsers-differential.test.ts):
// - a field name is a token (RFC 9110 §5.6.2);
// - a field value is trimmed of SP and HTAB only (never NBSP or other Unicode blanks) and may not hold a
//   control character other than HTAB (CR, LF, NUL, VT, FF, DEL...); bytes 0x80-0xFF (obs-text) pass;
// - a chunk-size line is hex digits, then optional extensions `;name[=token|quoted-string]` with no
//   blanks anywhere, ended by CRLF (a bare LF, a CR or NUL in an extension is refused).

/** A field name (RFC 9110 token). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A control character a field value may not hold (everything below 0x20 but HTAB, and DEL). */
export const BAD_VALUE_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * A Content-Length field's raw value (after the colon): blanks, 1 to 15 digits, then spaces only (llhttp
 * refuses an HTAB after the digits).
 */
export const CONTENT_LENGTH = /^[ \t]*[0-9]{1,15} *$/;

/**
 * A Transfer-Encoding raw value whose last coding llhttp does not recognise (an HTAB among the
 * trailing blanks: "chunked<HTAB>" is not chunked).
 */
export const TE_TRAILING_TAB = /\t[ \t]*$/;

/** The codings of one Transfer-Encoding field, the last one made unknown when llhttp would not recognise it. */
export function transferCodings(raw: string, value: string): string {
  return TE_TRAILING_TAB.test(raw) ? value.replace(/[^,]*$/, ' (unrecognised)') : value;
}

/** Chunk extensions as llhttp takes them: `;name` or `;name=value`, value a token (maybe empty) or a quoted string. */
const CHUNK_EXTENSIONS = /^(?:;[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:=(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]*|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?)*$/;

/** Chunk size: hex digits (leading zeros allowed), at most 2^48 - 1. */
const CHUNK_SIZE = /^0*[0-9a-fA-F]{1,12}$/;

/** Trims SP and HTAB (only) from both ends, as llhttp does for field values. */
export function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end) {
    const c = s.charCodeAt(start);
    if (c !== 32 && c !== 9) break;
    start++;
  }
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== 32 && c !== 9) break;
    end--;
  }
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * The size of a chunk from its size line (without the CRLF), or a reason it is refused.
 * Returns a number ≥ 0, or a string saying what is wrong.
 */
export function chunkSizeOf(line: string): number | string {
  const semi = line.indexOf(';');
  const hex = semi < 0 ? line : line.slice(0, semi);
  if (!CHUNK_SIZE.test(hex)) return 'invalid chunk size';
  if (semi >= 0 && !CHUNK_EXTENSIONS.test(line.slice(semi))) return 'invalid chunk extension';
  return parseInt(hex, 16);
}

/**
 * Checks one header (or trailer) line `name: value` without its CRLF. Returns the colon's index, or a
 * negative number: -1 no colon or an empty name, -2 a name that is not a token.
 */
export function headerColon(line: string): number {
  const colon = line.indexOf(':');
  if (colon <= 0) return -1;
  return TOKEN.test(line.slice(0, colon)) ? colon : -2;
}

/** A header name fit to quote in an error message (no control characters, at most 40 characters). */
export function printable(s: string): string {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return cut.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
