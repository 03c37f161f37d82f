/** Crafted image headers for the upload tests: just the bytes each format's size lives in. */
export function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return b;
}

export function gifHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(13);
  b.set([...'GIF89a'].map((c) => c.charCodeAt(0)));
  new DataView(b.buffer).setUint16(6, width, true);
  new DataView(b.buffer).setUint16(8, height, true);
  return b;
}

/** SOI, an APP1 segment of `appBytes` (an EXIF block), a DQT, then a SOF of `sof` type. */
export function jpegHeader(width: number, height: number, { appBytes = 30, sof = 0xc0 } = {}): Uint8Array {
  const parts: number[] = [0xff, 0xd8];
  parts.push(0xff, 0xe1, (appBytes + 2) >> 8, (appBytes + 2) & 0xff, ...new Array<number>(appBytes).fill(0xff));
  parts.push(0xff, 0xdb, 0, 4, 0, 0);
  parts.push(0xff, 0xff); // a fill byte before the next marker
  parts.push(0xff, sof, 0, 11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0);
  parts.push(0xff, 0xda, 0, 8);
  return Uint8Array.from(parts);
}

export function riff(chunk: string, payload: number[]): Uint8Array {
  const b = new Uint8Array(20 + Math.max(payload.length, 12));
  const text = (at: number, s: string) => b.set([...s].map((c) => c.charCodeAt(0)), at);
  text(0, 'RIFF');
  text(8, 'WEBP');
  text(12, chunk);
  b.set(payload, 20);
  return b;
}

export function webpLossy(width: number, height: number): Uint8Array {
  return riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, width & 0xff, width >> 8, height & 0xff, height >> 8]);
}

export function webpLossless(width: number, height: number): Uint8Array {
  const bits = (width - 1) | ((height - 1) << 14);
  return riff('VP8L', [0x2f, bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, (bits >>> 24) & 0xff]);
}

export function webpExtended(width: number, height: number): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  return riff('VP8X', [0, 0, 0, 0, w & 0xff, (w >> 8) & 0xff, w >> 16, h & 0xff, (h >> 8) & 0xff, h >> 16]);
}

