// Runs on the audio rendering thread: mixes the input down to mono, downsamples it to 16 kHz and posts
// 20 ms chunks of PCM16 (little-endian) to the page, each with its RMS level for the meter.
const TARGET_RATE = 16000;

class PcmDownsampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const chunkMs = (options.processorOptions && options.processorOptions.chunkMs) || 20;
    this.ratio = sampleRate / TARGET_RATE; // `sampleRate` is the context's rate, a worklet global
    this.chunk = new Int16Array(TARGET_RATE * chunkMs / 1000);
    this.filled = 0;
    this.sum = 0; // box filter: each output sample is the mean of the input samples since the last one,
    this.count = 0; // which keeps most of what lies above 8 kHz out of the 16 kHz stream
    this.inputIndex = 0;
    this.nextOutput = this.ratio;
    this.energy = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) {
      return true; // no input connected (yet): keep the node alive
    }
    const frames = channels[0].length;
    for (let i = 0; i < frames; i++) {
      let x = 0;
      for (let c = 0; c < channels.length; c++) {
        x += channels[c][i];
      }
      this.sum += x / channels.length;
      this.count++;
      this.inputIndex++;
      if (this.inputIndex >= this.nextOutput) {
        this.nextOutput += this.ratio;
        this.emit(this.sum / this.count);
        this.sum = 0;
        this.count = 0;
      }
    }
    return true;
  }

  emit(sample) {
    const s = Math.max(-1, Math.min(1, sample));
    this.energy += s * s;
    this.chunk[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    if (this.filled === this.chunk.length) {
      const level = Math.sqrt(this.energy / this.chunk.length);
      const pcm = this.chunk.buffer.slice(0); // a copy: the page keeps it while this buffer is refilled
      this.port.postMessage({ pcm, level }, [pcm]);
      this.filled = 0;
      this.energy = 0;
    }
  }
}

registerProcessor('pcm-downsampler', PcmDownsampler);
