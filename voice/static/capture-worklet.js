// Microphone → 8 kHz mono Float32 frames of 20 ms (160 samples), posted to the page.
// Downsampling averages the input samples that fall into each output sample (a crude low-pass that is
// enough for speech on an 8 kHz telephone line).
class SoftphoneCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / 8000;
    this.pos = 0;
    this.sum = 0;
    this.count = 0;
    this.frame = new Float32Array(160);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      this.sum += channel[i];
      this.count += 1;
      this.pos += 1;
      if (this.pos >= this.step) {
        this.pos -= this.step;
        this.frame[this.filled++] = this.sum / this.count;
        this.sum = 0;
        this.count = 0;
        if (this.filled === this.frame.length) {
          this.port.postMessage(this.frame.slice(0));
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor("softphone-capture", SoftphoneCapture);
