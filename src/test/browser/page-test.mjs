// Opens Hark's page in Debian's headless Chromium with a fake microphone that plays a WAV file, clicks
// "Share microphone", and waits for what the test asks for. Prints one JSON line of what the page showed;
// exits 0 when the wait succeeded, 1 otherwise. Called by BrowserPageTest.java.
//   node page-test.mjs URL WAV SCREENSHOT expect-words "word word ..." (in finals) | expect-state STATE | expect-reconnect -
//     | expect-audio - | expect-resume "word word ..." (after the connection is cut, the page resumes; then the words)
import { chromium } from 'playwright-core';

const [url, wav, screenshot, mode, arg] = process.argv.slice(2);
const timeoutMs = Number(process.env.HARK_BROWSER_TIMEOUT_MS || 90000);

/** Waits until every word of `arg` is in a final transcript of the panel `sel` (finals carry words with times). */
async function waitForWords(page, sel, arg) {
  const words = arg.toLowerCase().split(/\s+/);
  await page.waitForFunction(([panel, ws]) => {
    const text = [...document.querySelectorAll(`${panel} .transcript .final`)].map((d) => d.innerText).join(' ')
      .toLowerCase();
    return ws.every((w) => text.includes(w));
  }, [sel, words], { timeout: timeoutMs, polling: 250 });
}

const browser = await chromium.launch({
  executablePath: process.env.HARK_CHROMIUM || '/usr/bin/chromium',
  // The background-networking flags keep Chromium from dialling Google on a machine with no network.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`],
});
const result = { ok: false };
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  await page.click('#start-mic');
  const mic = '.source[data-source="mic"]';
  try {
    if (mode === 'expect-words') {
      await waitForWords(page, mic, arg);
    } else if (mode === 'expect-audio') {
      // Connected, and the meter has moved: audio is flowing to the server.
      await page.waitForFunction((sel) => document.querySelector('#connection').textContent.startsWith('Connected')
        && Number(document.querySelector(sel).dataset.peak || 0) > 0.01, mic, { timeout: timeoutMs, polling: 250 });
    } else if (mode === 'expect-reconnect' || mode === 'expect-resume') {
      // The test restarts the server (or cuts the connection) when told we are connected; the page must come back
      // as a new session (or resume the same one, then go on with the words).
      await page.waitForFunction(() => document.querySelector('#connection').textContent.startsWith('Connected'),
        null, { timeout: timeoutMs });
      console.log('PHASE connected');
      await page.waitForFunction((start) => document.querySelector('#connection').textContent.startsWith(start),
        mode === 'expect-resume' ? 'Resumed' : 'Reconnected', { timeout: timeoutMs, polling: 100 });
      if (mode === 'expect-resume') {
        await waitForWords(page, mic, arg);
      }
    } else {
      await page.waitForSelector(`${mic} .state.${arg}`, { timeout: timeoutMs });
    }
    result.ok = true;
  } catch (e) {
    result.error = String(e.message || e).split('\n')[0];
  }
  Object.assign(result, await page.evaluate((sel) => ({
    connection: document.querySelector('#connection').textContent,
    state: document.querySelector(`${sel} .state`).textContent,
    stateClass: document.querySelector(`${sel} .state`).className,
    finals: [...document.querySelectorAll(`${sel} .transcript .final`)].map((d) => d.textContent),
    peak: Number(document.querySelector(sel).dataset.peak || 0),
    // Each final word with its times and confidence (on hover), and whether it is shown as unsure.
    words: [...document.querySelectorAll(`${sel} .transcript .final .word`)]
      .map((w) => ({ word: w.textContent, title: w.title, unsure: w.classList.contains('unsure') })),
  }), mic));
  result.consoleErrors = consoleErrors;
  await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
