// Hark's live transcription page: shares the microphone and, optionally, a tab's or the system's audio, sends
// each as 20 ms Base64 PCM16 chunks over one WebSocket session, and shows per source the level, the transcript
// and the queue state the server reports. Reconnects with backoff, as a new session, and says so.
const SOURCES = ['mic', 'system'];
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const BACKLOG_CHUNKS = 100; // 2 s of 20 ms chunks

const $ = (sel, root = document) => root.querySelector(sel);
const panel = (source) => $(`.source[data-source="${source}"]`);
const connection = $('#connection');

const captures = new Map(); // source -> {stream, context, node, peak, unsent}
let ws = null;
let sessionId = null;
let wanted = false; // the user wants to be streaming; a lost connection is then reopened
let attempt = 0;
let everOpened = false;

function say(text, cls) {
  connection.textContent = text;
  connection.className = cls;
}

function setState(source, text, cls) {
  const p = $('.state', panel(source));
  p.textContent = text;
  p.className = `state ${cls}`;
}

function clock(ms) {
  const s = ms / 1000;
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

function connect() {
  const url = new URL('/ws/live', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // A token in the page's own URL (?token=...) goes as a subprotocol: never in the socket's URL or a proxy's log.
  const token = new URLSearchParams(location.search).get('token');
  const socket = token ? new WebSocket(url, ['hark', 'hark.token.' + token]) : new WebSocket(url);
  ws = socket;
  let opened = false;
  say(attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${attempt + 1})…`, 'reconnecting');
  socket.onopen = () => {
    opened = true;
    // Sources are created on first use, so an unshared one holds no queue or recognizer on the server.
    socket.send(JSON.stringify({ type: 'start', sample_rate: 16000 }));
  };
  socket.onmessage = (e) => onMessage(JSON.parse(e.data));
  socket.onclose = (e) => {
    if (ws !== socket) {
      return;
    }
    ws = null;
    sessionId = null;
    if (!opened) {
      // Browsers hide the HTTP status of a refused upgrade; /readyz says why the server is not taking sessions.
      fetch('/readyz').then((r) => r.text().then((t) => [r.ok, t.trim()])).then(([ok, why]) => {
        say(ok ? 'Could not open a session (the server refused the connection).'
          : `The server refused the session: ${why}.`, 'refused');
      }, () => say('The server is unreachable.', 'refused')).finally(retry);
      return;
    }
    const why = `code ${e.code}${e.reason ? `: ${e.reason}` : ''}`;
    say(wanted ? `Connection closed (${why}).` : `Stopped; the session ended (${why}).`, wanted ? 'closed' : 'idle');
    retry();
  };
}

function retry() {
  if (!wanted) {
    return;
  }
  const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
  attempt++;
  const text = connection.textContent;
  say(`${text} Reconnecting in ${delay / 1000} s as a new session.`, 'reconnecting');
  setTimeout(() => { if (wanted && !ws) connect(); }, delay);
}

function onMessage(m) {
  switch (m.type) {
    case 'ready':
      sessionId = m.session_id;
      say(everOpened ? `Reconnected as a new session, ${m.session_id}: transcripts start over.`
        : `Connected: session ${m.session_id}.`, 'open');
      everOpened = true;
      attempt = 0;
      captures.forEach((c, source) => {
        c.backlog.forEach((msg) => ws.send(msg));
        c.backlog = [];
        setState(source, c.unsent ? `sharing (${c.unsent} chunks lost while disconnected)` : 'sharing', 'ok');
      });
      break;
    case 'transcript':
      transcript(m);
      break;
    case 'status':
      status(m);
      break;
    case 'error':
      if (m.source && panel(m.source)) {
        setState(m.source, `error ${m.code}: ${m.message}`, 'error');
      } else {
        say(`Server error ${m.code}: ${m.message}`, 'closed');
      }
      break;
    default:
      break; // pong, stopped: nothing to show
  }
}

function transcript(m) {
  const box = $('.transcript', panel(m.source) || panel('mic'));
  const partial = $('.partial', box);
  if (!m.final) {
    partial.textContent = m.text;
    return;
  }
  partial.textContent = '';
  if (!m.text) {
    return;
  }
  const line = document.createElement('div');
  line.className = 'final';
  const time = document.createElement('time');
  time.textContent = `${clock(m.start_ms)}–${clock(m.end_ms)}`;
  line.append(time, ' ');
  // Each word with its time and the recognizer's confidence on hover; unsure words are lighter.
  const words = Array.isArray(m.words) && m.words.length ? m.words : [{ word: m.text, conf: 1 }];
  words.forEach((w, i) => {
    const span = document.createElement('span');
    span.className = w.conf < 0.6 ? 'word unsure' : 'word';
    span.textContent = w.word;
    if (w.start_ms !== undefined) {
      span.title = `${clock(w.start_ms)}–${clock(w.end_ms)}, confidence ${Math.round(w.conf * 100)}%`;
    }
    line.append(i ? ' ' : '', span);
  });
  box.insertBefore(line, partial);
}

function status(m) {
  if (!m.source || !panel(m.source)) {
    say(`Server: ${m.state}${m.message ? ` (${m.message})` : ''}`, connection.className);
    return;
  }
  const dropped = m.dropped_frames ? `, ${m.dropped_frames} chunks dropped so far` : '';
  const texts = {
    backpressure: `backpressure: the server is behind (queue ${m.queue_depth})${dropped}`,
    ok: `ok${dropped}`,
    paused: 'paused: the server stopped reading until its queue has room',
    source_dropped: `source dropped by the server under load${dropped}`,
    source_restored: 'source restored',
    gap: `gap: ${m.missing_frames} chunks missing`,
  };
  setState(m.source, texts[m.state] || m.state, m.state);
}

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x2000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x2000));
  }
  return btoa(s);
}

async function share(source) {
  if (captures.has(source)) {
    return;
  }
  let stream;
  try {
    stream = source === 'mic'
      ? await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } })
      : await navigator.mediaDevices.getDisplayMedia({ audio: true, video: true });
  } catch (e) {
    setState(source, `not shared: ${e.message || e.name}`, 'error');
    return;
  }
  if (stream.getAudioTracks().length === 0) {
    stream.getTracks().forEach((t) => t.stop());
    setState(source, 'not shared: that choice has no audio (tick "share audio")', 'error');
    return;
  }
  const context = new AudioContext();
  await context.audioWorklet.addModule('/pcm-worklet.js');
  const node = new AudioWorkletNode(context, 'pcm-downsampler', { processorOptions: { chunkMs: 20 } });
  const capture = { stream, context, node, peak: 0, unsent: 0, backlog: [] };
  const level = $('.level', panel(source));
  node.port.onmessage = ({ data }) => {
    capture.peak = Math.max(capture.peak, data.level);
    panel(source).dataset.peak = capture.peak.toFixed(4);
    level.style.width = `${Math.min(100, Math.round(Math.sqrt(data.level) * 140))}%`;
    const message = JSON.stringify({ type: 'audio', source, data: base64(data.pcm) });
    if (ws && ws.readyState === WebSocket.OPEN && sessionId) {
      ws.send(message);
      return;
    }
    // Not connected (yet): hold the last two seconds, sent when the session is ready; older audio is lost, and said.
    capture.backlog.push(message);
    if (capture.backlog.length > BACKLOG_CHUNKS) {
      capture.backlog.shift();
      capture.unsent++;
      setState(source, `not connected: ${capture.unsent} chunks (20 ms each) lost`, 'error');
    }
  };
  context.createMediaStreamSource(stream).connect(node);
  stream.getAudioTracks()[0].addEventListener('ended', () => unshare(source));
  captures.set(source, capture);
  setState(source, 'sharing', 'ok');
  wanted = true;
  $('#stop').disabled = false;
  if (!ws) {
    connect();
  }
}

function unshare(source) {
  const c = captures.get(source);
  if (!c) {
    return;
  }
  c.stream.getTracks().forEach((t) => t.stop());
  c.context.close();
  captures.delete(source);
  $('.level', panel(source)).style.width = '0';
  setState(source, 'not shared', 'idle');
}

function stop() {
  wanted = false;
  SOURCES.forEach(unshare);
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify({ type: 'stop' })); // the server sends the last finals, then stopped, then closes
  }
  $('#stop').disabled = true;
  say('Stopped.', 'idle');
}

$('#start-mic').addEventListener('click', () => share('mic'));
$('#start-system').addEventListener('click', () => share('system'));
$('#stop').addEventListener('click', stop);
