// Streams WAV speech to Hark's /v1/listen through Deepgram's own JavaScript SDK, and prints one JSON line: what came
// back. Usage: node deepgram-client.mjs PORT KEY MODE WAV [WAV2]
//   MODE stereo: two clips as the two channels of one multichannel stream, paced at real time.
//   MODE mono: one clip, sent as fast as the SDK takes it, then Finalize and CloseStream.
import { DeepgramClient } from "@deepgram/sdk";
import { readWav, interleave, sleep } from "./wav.mjs";

const [port, key, mode, wav1, wav2] = process.argv.slice(2);
const client = new DeepgramClient({
  apiKey: key,
  environment: { base: `http://127.0.0.1:${port}`, production: `ws://127.0.0.1:${port}`, agent: "", agentRest: "" },
});
const a = readWav(wav1);
const stereo = mode === "stereo";
const audio = stereo ? interleave(a.pcm, readWav(wav2).pcm) : a.pcm;
const channels = stereo ? 2 : 1;
const socket = await client.listen.v1.connect({
  model: "nova-3",
  encoding: "linear16",
  sample_rate: String(a.rate),
  channels: String(channels),
  multichannel: stereo ? "true" : "false",
  interim_results: "true",
  utterance_end_ms: "1000",
  vad_events: "true",
  reconnectAttempts: 0,
});
const messages = [];
let closed = null;
socket.on("message", (m) => messages.push(m));
socket.on("close", (e) => (closed = { code: e.code, reason: e.reason }));
socket.on("error", (e) => messages.push({ type: "ClientError", message: String(e?.message ?? e) }));
socket.connect();
await socket.waitForOpen();
const chunk = (a.rate / 10) * 2 * channels; // 100 ms
for (let at = 0; at < audio.length; at += chunk) {
  socket.sendMedia(audio.subarray(at, Math.min(audio.length, at + chunk)));
  if (stereo) {
    await sleep(100);
  }
  if (at === chunk * 10) {
    socket.sendKeepAlive({ type: "KeepAlive" });
  }
}
socket.sendFinalize({ type: "Finalize" });
socket.sendCloseStream({ type: "CloseStream" });
const deadline = Date.now() + 60_000;
while (closed === null && Date.now() < deadline) {
  await sleep(50);
}
const finals = {};
for (const m of messages) {
  if (m.type === "Results" && m.is_final) {
    const c = m.channel_index[0];
    finals[c] = ((finals[c] ?? "") + " " + m.channel.alternatives[0].transcript).trim();
  }
}
console.log(JSON.stringify({ closed, finals, messages }));
process.exit(0);
