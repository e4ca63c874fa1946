/**
 * Large immutable values (a district roster is ~15,000 assignments) stored as one gzip'd
 * JSON blob: FerretDB decodes one binary field far faster than thousands of nested
 * documents (a 3.9 MB roster took ~1 s to read as documents).
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** Date.toJSON()'s exact shape; only such strings are turned back into Dates. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function packJson(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value), { level: 6 });
}

export function unpackJson<T>(packed: Buffer | { buffer: ArrayBuffer | Uint8Array }): T {
  const bytes = Buffer.isBuffer(packed) ? packed : Buffer.from((packed as { buffer: Uint8Array }).buffer);
  return JSON.parse(gunzipSync(bytes).toString('utf8'), (_key, value: unknown) =>
    typeof value === 'string' && ISO_INSTANT.test(value) ? new Date(value) : value,
  ) as T;
}
