// CRC-32 as zlib and Espruino's E.CRC32 compute it (reflected, polynomial 0xEDB88320): flash compares the
// board's E.CRC32 of the stored file with this over the local one.

let table: Uint32Array | null = null;

/** crc32(bytes) -> the unsigned CRC-32 of bytes. */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
