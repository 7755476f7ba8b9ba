// Reads a 16-bit PCM WAV file: its sample rate, channel count and interleaved samples.
import { readFileSync } from "node:fs";

export function readWav(path) {
  const b = readFileSync(path);
  if (b.toString("ascii", 0, 4) !== "RIFF" || b.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error(`${path} is not a WAV file`);
  }
  let at = 12;
  let rate = 0;
  let channels = 0;
  while (at + 8 <= b.length) {
    const id = b.toString("ascii", at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === "fmt ") {
      channels = b.readUInt16LE(at + 10);
      rate = b.readUInt32LE(at + 12);
    } else if (id === "data") {
      return { rate, channels, pcm: b.subarray(at + 8, at + 8 + size) };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error(`${path} has no data chunk`);
}

/** Mono PCM16 resampled linearly from `from` Hz to `to` Hz. */
export function resample(pcm, from, to) {
  const n = Math.floor(pcm.length / 2);
  const out = Buffer.alloc(Math.floor((n * to) / from) * 2);
  for (let i = 0; i < out.length / 2; i++) {
    const x = (i * from) / to;
    const j = Math.floor(x);
    const a = pcm.readInt16LE(Math.min(j, n - 1) * 2);
    const b = pcm.readInt16LE(Math.min(j + 1, n - 1) * 2);
    out.writeInt16LE(Math.round(a + (b - a) * (x - j)), i * 2);
  }
  return out;
}

/** Two mono PCM16 buffers interleaved as one stereo buffer, the shorter padded with silence. */
export function interleave(left, right) {
  const n = Math.max(left.length, right.length) / 2;
  const out = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    out.writeInt16LE(i * 2 < left.length ? left.readInt16LE(i * 2) : 0, i * 4);
    out.writeInt16LE(i * 2 < right.length ? right.readInt16LE(i * 2) : 0, i * 4 + 2);
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
