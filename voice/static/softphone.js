// The console's softphone: microphone → 8 kHz μ-law → Twilio Media Stream JSON over a websocket, and the
// bot's μ-law media frames played back. The server (voice/softphone.py) runs the phone line's stream path.
"use strict";

(() => {
  const root = document.getElementById("softphone");
  if (!root) return;
  const startButton = document.getElementById("call-start");
  const endButton = document.getElementById("call-end");
  const statusLine = document.getElementById("status");
  const framesOut = document.getElementById("frames-received");
  const botLog = document.getElementById("bot-log");
  const keys = Array.from(document.querySelectorAll("button.keypad"));
  const STREAM_SID = "MZsoftphone-browser";

  let ws = null;
  let ctx = null;
  let mic = null;
  let capture = null;
  let playHead = 0;
  let playing = [];
  let markTimers = [];
  let framesReceived = 0;
  let sequence = 0;
  let chunk = 0;
  let ending = false;

  // ---------------------------------------------------------------- G.711 μ-law
  function encodeUlaw(sample) {
    let s = Math.max(-1, Math.min(1, sample)) * 32767;
    s = s | 0;
    const sign = s < 0 ? 0x80 : 0;
    if (s < 0) s = -s;
    if (s > 32635) s = 32635;
    s += 0x84;
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; exponent--, mask >>= 1) { /* find the segment */ }
    const mantissa = (s >> (exponent + 3)) & 0x0f;
    return ~(sign | (exponent << 4) | mantissa) & 0xff;
  }

  function decodeUlaw(byte) {
    const u = ~byte & 0xff;
    const exponent = (u >> 4) & 0x07;
    let s = (((u & 0x0f) << 3) + 0x84) << exponent;
    s -= 0x84;
    return (u & 0x80 ? -s : s) / 32768;
  }

  function toBase64(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  // ---------------------------------------------------------------- page state
  function setStatus(text) {
    statusLine.textContent = text;
  }

  function setInCall(inCall) {
    startButton.disabled = inCall;
    endButton.disabled = !inCall;
    keys.forEach((key) => { key.disabled = !inCall; });
  }

  function logBot(lines) {
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      botLog.appendChild(item);
    }
  }

  function send(message) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      sequence += 1;
      ws.send(JSON.stringify({ sequenceNumber: String(sequence), streamSid: STREAM_SID, ...message }));
    }
  }

  // ---------------------------------------------------------------- playback
  function play(bytes) {
    const buffer = ctx.createBuffer(1, bytes.length, 8000);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < bytes.length; i++) data[i] = decodeUlaw(bytes[i]);
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(ctx.destination);
    playHead = Math.max(playHead, ctx.currentTime + 0.05);
    source.start(playHead);
    playHead += buffer.duration;
    playing.push(source);
    source.onended = () => { playing = playing.filter((s) => s !== source); };
  }

  function markWhenPlayed(name) {
    // Twilio echoes a mark once the audio sent before it has been played; so does the softphone.
    const wait = Math.max(0, (playHead - ctx.currentTime) * 1000);
    const timer = setTimeout(() => {
      markTimers = markTimers.filter((t) => t.timer !== timer);
      send({ event: "mark", mark: { name } });
    }, wait);
    markTimers.push({ timer, name });
  }

  function clearPlayback() {
    playing.forEach((source) => { try { source.stop(); } catch (e) { /* already stopped */ } });
    playing = [];
    playHead = ctx ? ctx.currentTime : 0;
    const pending = markTimers;
    markTimers = [];
    pending.forEach(({ timer, name }) => { clearTimeout(timer); send({ event: "mark", mark: { name } }); });
  }

  // ---------------------------------------------------------------- server messages
  function onMessage(event) {
    const message = JSON.parse(event.data);
    if (message.event === "media") {
      framesReceived += 1;
      framesOut.textContent = String(framesReceived);
      play(fromBase64(message.media.payload));
    } else if (message.event === "mark") {
      markWhenPlayed(message.mark.name);
    } else if (message.event === "clear") {
      clearPlayback();
    } else if (message.event === "softphone") {
      onNotice(message);
    }
  }

  function onNotice(notice) {
    if (notice.kind === "started") {
      setStatus("通話中です。マイクに向かって質問をお話しください。（0: 職員につなぐ　9: もう一度聞く）");
    } else if (notice.kind === "said") {
      logBot(notice.text);
    } else if (notice.kind === "transferred") {
      ending = true;
      setStatus(`電話であれば、ここで「${notice.department}」の職員に転送されます。試し通話はここで終了します。`);
      finishAfterPlayback();
    } else if (notice.kind === "ended") {
      ending = true;
      setStatus("AIが通話を終了しました。");
      finishAfterPlayback();
    } else if (notice.kind === "error") {
      ending = true;
      setStatus(notice.message);
      hangUp(false);
    }
  }

  function finishAfterPlayback() {
    const wait = ctx ? Math.max(0, (playHead - ctx.currentTime) * 1000) : 0;
    setTimeout(() => hangUp(false), wait + 300);
  }

  // ---------------------------------------------------------------- call control
  async function startCall() {
    if (!window.isSecureContext || !navigator.mediaDevices) {
      setStatus("マイクを使うには、https で開くか、サーバーと同じパソコンで http://127.0.0.1 から開いてください。");
      return;
    }
    setInCall(true);
    setStatus("マイクを準備しています…");
    framesReceived = 0;
    framesOut.textContent = "0";
    ending = false;
    try {
      ctx = new AudioContext();
      await ctx.audioWorklet.addModule(root.dataset.worklet);
      mic = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (error) {
      setStatus("マイクを使えませんでした。ブラウザーでマイクの使用を許可してから、もう一度お試しください。");
      await hangUp(false);
      return;
    }
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${scheme}//${window.location.host}${root.dataset.wsPath}`);
    ws.onmessage = onMessage;
    ws.onclose = () => {
      if (!ending) setStatus("通話が切断されました。ログインし直してからお試しください。");
      ending = true;
      hangUp(false);
    };
    ws.onopen = () => {
      setStatus("接続しました。AIの応答を待っています…");
      send({ event: "connected", protocol: "Call", version: "1.0.0" });
      send({ event: "start", start: { streamSid: STREAM_SID, callSid: "", accountSid: "", tracks: ["inbound"],
        customParameters: {}, mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 } } });
      const source = ctx.createMediaStreamSource(mic);
      capture = new AudioWorkletNode(ctx, "softphone-capture");
      capture.port.onmessage = (msg) => {
        const samples = msg.data;
        const bytes = new Uint8Array(samples.length);
        for (let i = 0; i < samples.length; i++) bytes[i] = encodeUlaw(samples[i]);
        chunk += 1;
        send({ event: "media", media: { track: "inbound", chunk: String(chunk), timestamp: String(chunk * 20),
          payload: toBase64(bytes) } });
      };
      source.connect(capture);
    };
  }

  async function hangUp(byStaff) {
    if (byStaff) {
      ending = true;
      setStatus("通話を終了しました。");
    }
    if (ws) {
      const socket = ws;
      ws = null;
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ event: "stop", streamSid: STREAM_SID, stop: { callSid: "", accountSid: "" } }));
        socket.close();
      }
    }
    if (capture) { capture.port.onmessage = null; capture.disconnect(); capture = null; }
    if (mic) { mic.getTracks().forEach((track) => track.stop()); mic = null; }
    markTimers.forEach(({ timer }) => clearTimeout(timer));
    markTimers = [];
    if (ctx && byStaff) { playing.forEach((s) => { try { s.stop(); } catch (e) { /* done */ } }); }
    setInCall(false);
  }

  startButton.addEventListener("click", () => { startCall(); });
  endButton.addEventListener("click", () => { hangUp(true); });
  keys.forEach((key) => key.addEventListener("click", () => {
    send({ event: "dtmf", dtmf: { track: "inbound_track", digit: key.dataset.digit } });
  }));
})();
