import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

/**
 * Draws the app icon (a white "K" on a rounded indigo square) as a 1024x1024 PNG, from which
 * electron-builder derives the .ico and .icns. Generated, not hand-drawn, so it can be rebuilt and
 * reviewed as code.
 */
const SIZE = 1024;
const BACKGROUND = [79, 70, 229] as const;
const FOREGROUND = [255, 255, 255] as const;

type Point = [number, number];

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const [px, py] = p;
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Signed distance to a rounded square: negative inside. */
function roundedSquareDistance([x, y]: Point, inset: number, radius: number): number {
  const half = SIZE / 2 - inset;
  const qx = Math.abs(x - SIZE / 2) - (half - radius);
  const qy = Math.abs(y - SIZE / 2) - (half - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

const STROKE = 60;
const letterK: [Point, Point][] = [
  [
    [370, 260],
    [370, 764],
  ],
  [
    [680, 260],
    [400, 530],
  ],
  [
    [470, 470],
    [690, 764],
  ],
];

export function drawIcon(): Buffer {
  const rowBytes = SIZE * 4 + 1;
  const raw = Buffer.alloc(rowBytes * SIZE);
  for (let y = 0; y < SIZE; y++) {
    raw[y * rowBytes] = 0; // PNG filter type "None" for this row
    for (let x = 0; x < SIZE; x++) {
      const p: Point = [x + 0.5, y + 0.5];
      const shape = Math.max(0, Math.min(1, 0.5 - roundedSquareDistance(p, 40, 200)));
      const strokeDistance = Math.min(...letterK.map(([a, b]) => distanceToSegment(p, a, b)));
      const ink = Math.max(0, Math.min(1, STROKE + 0.5 - strokeDistance));
      const offset = y * rowBytes + 1 + x * 4;
      for (let c = 0; c < 3; c++) {
        raw[offset + c] = Math.round((BACKGROUND[c] ?? 0) * (1 - ink) + (FOREGROUND[c] ?? 0) * ink);
      }
      raw[offset + 3] = Math.round(shape * 255);
    }
  }
  return encodePng(raw);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(raw: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const out = path.join(root, 'resources', 'icon.png');
  writeFileSync(out, drawIcon());
  console.log(`Wrote ${path.relative(root, out)}`);
}
