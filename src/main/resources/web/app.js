// Hark's live transcription page: shares the microphone and, optionally, a tab's or the system's audio, sends
// each as 20 ms Base64 PCM16 chunks over one WebSocket session, and shows per source the level, the transcript
// and the queue state the server reports. A lost connection is resumed: the page keeps the audio the server has
// not acknowledged (10 s per source) and sends it again, so nothing is lost; when the session cannot be resumed it
// reconnects with backoff as a new session. It says which.
const SOURCES = ['mic', 'system'];
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const RESUME_BACKOFF_MS = [100, 250, 500, 1000, 2000];
const RESUME_FOR_MS = 30000; // the server's default --resume-window-s
const UNACKED_CHUNKS = 500; // 10 s of 20 ms chunks

const $ = (sel, root = document) => root.querySelector(sel);
const panel = (source) => $(`.source[data-source="${source}"]`);
const connection = $('#connection');

const captures = new Map(); // source -> {stream, context, node, peak, unsent}
let ws = null;
let sessionId = null; // of the session in progress; null before ready
let resume = null; // {sessionId, token, since} while the session may be resumed
let finals = 0; // final transcripts of this session received, so a resume sends only the missing ones
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
  const resuming = resume !== null && Date.now() - resume.since < RESUME_FOR_MS;
  if (resuming) {
    url.searchParams.set('resume', resume.sessionId); // a balancer in front sends it to the node that has it
  } else {
    resume = null;
  }
  // A token in the page's own URL (?token=...) goes as a subprotocol: never in the socket's URL or a proxy's log.
  const token = new URLSearchParams(location.search).get('token');
  const socket = token ? new WebSocket(url, ['hark', 'hark.token.' + token]) : new WebSocket(url);
  ws = socket;
  let opened = false;
  say(resuming ? `Connection lost; resuming session ${resume.sessionId} (attempt ${attempt + 1})…`
    : attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${attempt + 1})…`, 'reconnecting');
  socket.onopen = () => {
    opened = true;
    if (resuming) {
      socket.send(JSON.stringify({ type: 'start',
        resume: { session_id: resume.sessionId, token: resume.token, finals } }));
      return;
    }
    startSession(socket);
  };
  socket.onmessage = (e) => onMessage(JSON.parse(e.data));
  socket.onclose = (e) => {
    if (ws !== socket) {
      return;
    }
    ws = null;
    sessionId = null;
    // A close frame from the server (the session ended, or refused) is final; a lost connection (1006) resumes.
    if (e.code !== 1006 && resume && !resuming) {
      resume = null;
    }
    if (resume && wanted) {
      resume.since = resume.since || Date.now();
      if (resuming && !opened) {
        // The resume was refused before the upgrade. If the server (or the balancer in front) answers, the session's
        // node is gone: begin a new session at once rather than retry for the whole window.
        fetch('/healthz').then((r) => {
          if (r.ok && resume) {
            say(`Session ${resume.sessionId} cannot be resumed (its server is gone); starting a new one…`,
              'reconnecting');
            resume = null;
          }
        }, () => { }).finally(retryResume);
        return;
      }
      retryResume();
      return;
    }
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

function startSession(socket) {
  // Sources are created on first use, so an unshared one holds no queue or recognizer on the server. Audio not
  // acknowledged by a session that is gone is sent to the new one when it is ready; seq numbers go on counting.
  finals = 0;
  socket.send(JSON.stringify({ type: 'start', sample_rate: 16000 }));
}

function retryResume() {
  const delay = RESUME_BACKOFF_MS[Math.min(attempt, RESUME_BACKOFF_MS.length - 1)];
  attempt++;
  setTimeout(() => { if (wanted && !ws) connect(); }, delay);
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
      ready(m);
      break;
    case 'ack': {
      const c = captures.get(m.source);
      if (c) {
        c.unacked = c.unacked.filter((u) => u.seq > m.seq);
      }
      break;
    }
    case 'transcript':
      transcript(m);
      break;
    case 'status':
      status(m);
      break;
    case 'error':
      if (m.code === 'resume_unknown' || m.code === 'resume_denied') {
        // The session is gone (its window passed, or the server restarted): start a new one on this connection.
        say(`Could not resume the session (${m.code}); starting a new one…`, 'reconnecting');
        resume = null;
        startSession(ws);
        break;
      }
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

function ready(m) {
  const resumed = m.resumed === true;
  sessionId = m.session_id;
  resume = m.resume_token ? { sessionId: m.session_id, token: m.resume_token, since: 0 } : null;
  const lost = [...captures.values()].reduce((n, c) => n + c.unsent, 0);
  say(resumed ? `Resumed session ${m.session_id} after a lost connection: ${lost ? `${lost} chunks (20 ms each) were `
    + 'lost' : 'nothing was lost'}.` : everOpened ? `Reconnected as a new session, ${m.session_id}: transcripts start `
    + 'over.' : `Connected: session ${m.session_id}.`, 'open');
  everOpened = true;
  attempt = 0;
  captures.forEach((c, source) => {
    // Resumed: send again what the server lacks, from its next expected seq; new: what waited to be sent.
    const next = resumed ? (m.next_seq && m.next_seq[source]) || 0 : 0;
    c.unacked = c.unacked.filter((u) => u.seq >= next);
    c.unacked.forEach((u) => ws.send(u.msg));
    setState(source, c.unsent ? `sharing (${c.unsent} chunks lost while disconnected)` : 'sharing', 'ok');
  });
}

function transcript(m) {
  if (m.final) {
    finals++;
  }
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
  // unacked: the chunks the server has not acknowledged, sent again after a resume (or, before the first ready,
  // sent then); older ones beyond the bound are lost, and said.
  const capture = { stream, context, node, peak: 0, unsent: 0, seq: 0, unacked: [] };
  const level = $('.level', panel(source));
  node.port.onmessage = ({ data }) => {
    capture.peak = Math.max(capture.peak, data.level);
    panel(source).dataset.peak = capture.peak.toFixed(4);
    level.style.width = `${Math.min(100, Math.round(Math.sqrt(data.level) * 140))}%`;
    const seq = capture.seq++;
    const message = JSON.stringify({ type: 'audio', source, seq, data: base64(data.pcm) });
    capture.unacked.push({ seq, msg: message });
    if (capture.unacked.length > UNACKED_CHUNKS) {
      capture.unacked.shift();
      capture.unsent++;
      setState(source, `not connected: ${capture.unsent} chunks (20 ms each) lost`, 'error');
    }
    if (ws && ws.readyState === WebSocket.OPEN && sessionId) {
      ws.send(message);
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
  resume = null;
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
