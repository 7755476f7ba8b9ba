// Streams WAV speech to Hark's /v1/realtime through OpenAI's own JavaScript SDK (its Realtime WebSocket client, over
// wss:// as it always connects), and prints one JSON line: the events that came back.
// Usage: node openai-client.mjs PORT KEY CA_PEM MODE WAV
//   MODE vad: server turn detection, audio paced at twice real time, then one commit.
//   MODE manual: turn_detection null (the beta transcription_session.update), one commit at the end; a clear first.
//   MODE overload: as vad, but the audio is sent as fast as the socket takes it.
import OpenAI from "openai";
import { OpenAIRealtimeWS } from "openai/realtime/ws";
import { readFileSync } from "node:fs";
import { readWav, resample, sleep } from "./wav.mjs";

const [port, key, caPem, mode, wav] = process.argv.slice(2);
const client = new OpenAI({ apiKey: key, baseURL: `https://127.0.0.1:${port}/v1` });
const rt = new OpenAIRealtimeWS(
  { model: "gpt-4o-transcribe", options: { ca: readFileSync(caPem) } },
  client,
);
const events = [];
let closed = null;
rt.on("event", (e) => events.push(e));
rt.on("error", (e) => events.push({ type: "client.error", message: String(e?.message ?? e) }));
rt.socket.on("close", (code, reason) => (closed = { code, reason: String(reason) }));
await new Promise((resolve, reject) => {
  rt.socket.once("open", resolve);
  rt.socket.once("error", reject);
});
const a = readWav(wav);
const pcm = resample(a.pcm, a.rate, 24000);
const send100ms = async (from, pace) => {
  const chunk = 4800; // 100 ms at 24 kHz
  for (let at = from; at < pcm.length; at += chunk) {
    rt.send({ type: "input_audio_buffer.append", audio: pcm.subarray(at, at + chunk).toString("base64") });
    await sleep(pace);
  }
};
const waitFor = async (pred, ms) => {
  const deadline = Date.now() + ms;
  while (!events.some(pred) && Date.now() < deadline) {
    await sleep(20);
  }
};
if (mode === "vad" || mode === "overload") {
  rt.send({
    type: "session.update",
    session: {
      type: "transcription",
      audio: {
        input: {
          format: { type: "audio/pcm", rate: 24000 },
          transcription: { model: "gpt-4o-transcribe", language: "en" },
          turn_detection: { type: "server_vad", silence_duration_ms: 500 },
        },
      },
    },
  });
  await send100ms(0, mode === "vad" ? 50 : 0);
  rt.send({ type: "input_audio_buffer.commit" });
} else {
  rt.send({
    type: "transcription_session.update",
    session: { input_audio_format: "pcm16", input_audio_transcription: { model: "whisper-1" }, turn_detection: null },
  });
  // A second of speech, cleared: none of it may appear in the transcript.
  rt.send({ type: "input_audio_buffer.append", audio: pcm.subarray(0, 48000).toString("base64") });
  rt.send({ type: "input_audio_buffer.clear" });
  await waitFor((e) => e.type === "input_audio_buffer.cleared", 30_000);
  await send100ms(0, 0);
  rt.send({ type: "input_audio_buffer.commit" });
  rt.send({ type: "input_audio_buffer.commit" }); // nothing appended since: an error in OpenAI's shape
}
await waitFor((e) => e.type === "conversation.item.input_audio_transcription.completed"
  && events.filter((x) => x.type === "input_audio_buffer.committed").length
    === events.filter((x) => x.type === "conversation.item.input_audio_transcription.completed").length
  && (mode !== "vad" || events.some((x) => x.type === "input_audio_buffer.speech_stopped")), 60_000);
await sleep(1500); // the commit's own answer, if any, after the last turn
rt.close();
const deadline = Date.now() + 10_000;
while (closed === null && Date.now() < deadline) {
  await sleep(20);
}
const transcript = events.filter((e) => e.type === "conversation.item.input_audio_transcription.completed")
  .map((e) => e.transcript).join(" ").replace(/\s+/g, " ").trim();
console.log(JSON.stringify({ closed, transcript, events }));
process.exit(0);
