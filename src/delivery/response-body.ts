// A receiver's response body is whatever bytes it chose to send; what is stored of it must always be
// storable (PostgreSQL text holds neither NUL nor bytes that are not UTF-8) and must not lie about them.
import { isUtf8 } from 'node:buffer';

export interface StoredBody {
  /** The bytes as text, U+FFFD in place of NUL and of every byte that is not UTF-8. */
  text: string;
  /** The exact bytes, only when `text` is not them (else undefined). */
  raw: Buffer | undefined;
}

/** `bytes` is the body, or its first bytes when `cut` (the rest was never read). */
export function storedBody(bytes: Buffer, cut: boolean): StoredBody {
  // A prefix cut inside a multi-byte character (the stored prefix is cut at a byte count) is still valid
  // text: the incomplete character is left out rather than kept as bytes.
  const complete = !cut || isUtf8(bytes) ? bytes : bytes.subarray(0, trailingCut(bytes));
  const exact = complete === bytes || isUtf8(complete);
  const decoded = (exact ? complete : bytes).toString('utf8');
  const hasNul = decoded.includes('\0');
  return { text: hasNul ? decoded.replaceAll('\0', '\uFFFD') : decoded, raw: exact && !hasNul ? undefined : bytes };
}

/** The length of `bytes` without a trailing, incomplete UTF-8 sequence (at most 3 bytes). */
function trailingCut(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Text for a log line or an error message taken from the network: no NUL, no lone surrogate, bounded. */
export function safeText(value: string, max = 1024): string {
  // toWellFormed replaces each lone surrogate with U+FFFD, as the regex-free way to make text storable.
  return value.slice(0, max).replaceAll('\0', '\uFFFD').toWellFormed();
}
