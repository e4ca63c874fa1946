/**
 * Just enough of the zip format to read an .xlsx safely. The central directory (at the end of
 * the file) declares every entry's unpacked size, so a zip bomb is recognised before a byte is
 * inflated; inflating is then capped at the declared size, so an entry that lies about it is
 * caught too. Entries are handed on "stored" (uncompressed), in the order the reader wants.
 */
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  /** Declared unpacked size. */
  size: number;
  localHeaderOffset: number;
}

/** The bytes are not a zip this module can read; the message says why, for the planner. */
export class ZipError extends Error {}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED = 0x1;
const UTF8_NAME = 0x800;
const CHUNK = 64 * 1024;
/** Sizes and counts saturated at these mean the real ones live in a ZIP64 record. */
const ZIP64_MARKERS = new Set([0xffff, 0xffffffff]);

/** Every entry of the central directory; nothing is inflated. */
export function readZipDirectory(zip: Buffer): ZipEntry[] {
  const end = findEndOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const directorySize = zip.readUInt32LE(end + 12);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if ([count, directorySize, directoryOffset].some((n) => ZIP64_MARKERS.has(n))) throw new ZipError('ZIP64 archives are not supported');
  if (directoryOffset + directorySize > end) throw new ZipError('the zip directory lies outside the file');

  const entries: ZipEntry[] = [];
  let p = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || zip.readUInt32LE(p) !== DIRECTORY_ENTRY) throw new ZipError('the zip directory is damaged');
    const nameLength = zip.readUInt16LE(p + 28);
    const record = 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    if (p + record > end) throw new ZipError('the zip directory is damaged');
    entries.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLength),
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localHeaderOffset: zip.readUInt32LE(p + 42),
    });
    p += record;
  }
  return entries;
}

/** The end-of-directory record sits in the last 22 bytes, or before a comment of up to 64 KiB. */
function findEndOfDirectory(zip: Buffer): number {
  const last = zip.length - 22;
  for (let p = last; p >= 0 && p >= last - 0xffff; p--) {
    if (zip.readUInt32LE(p) === END_OF_DIRECTORY) return p;
  }
  throw new ZipError('not a zip file');
}

/** The entry's unpacked bytes; never more than it declares. */
export function unpackEntry(zip: Buffer, entry: ZipEntry): Buffer {
  if (entry.flags & ENCRYPTED) throw new ZipError(`${entry.name} is encrypted`);
  const header = entry.localHeaderOffset;
  if (header + 30 > zip.length || zip.readUInt32LE(header) !== LOCAL_HEADER) throw new ZipError(`${entry.name}: damaged entry`);
  const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  if (start + entry.compressedSize > zip.length) throw new ZipError(`${entry.name}: damaged entry`);
  const packed = zip.subarray(start, start + entry.compressedSize);
  let data: Buffer;
  if (entry.method === STORED) data = packed;
  else if (entry.method === DEFLATED) {
    try {
      // The cap is what stops a lying entry: zlib gives up as soon as it is passed.
      data = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      throw new ZipError(tooBig ? `${entry.name} unpacks to more than the ${entry.size} bytes it declares` : `${entry.name}: ${(err as Error).message}`);
    }
  } else throw new ZipError(`${entry.name}: unsupported compression method ${entry.method}`);
  if (data.length !== entry.size) throw new ZipError(`${entry.name} unpacks to ${data.length} bytes, not the ${entry.size} it declares`);
  return data;
}

/**
 * `files` as a zip stored uncompressed, in chunks (the data is not copied): the local records
 * in order, then an empty directory. Only for a streaming reader, which reads the local
 * records front to back and never looks at the directory.
 */
export function storedZip(files: { name: string; data: Buffer }[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0
    header.writeUInt16LE(UTF8_NAME, 6);
    header.writeUInt16LE(STORED, 8);
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    chunks.push(header, nameBytes);
    // Small chunks: exceljs's SAX parser gathers every event of a chunk into one array first.
    for (let at = 0; at < data.length; at += CHUNK) chunks.push(data.subarray(at, at + CHUNK));
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_DIRECTORY, 0);
  chunks.push(end);
  return chunks;
}
