/* The device check before a hearing: the camera's picture, the microphone's level, and the
   download speed from our own server (a static file of known size, timed), with the way of
   taking part it suggests. Nothing leaves the device; the tracks stop when the page goes. */
(function () {
  "use strict";
  const form = document.getElementById("hr-check");
  if (!form) return;
  const t = (k) => form.dataset["t" + k.charAt(0).toUpperCase() + k.slice(1)] || k;
  const video = document.getElementById("hr-preview");
  const camResult = document.getElementById("hr-cam-result");
  const micResult = document.getElementById("hr-mic-result");
  const level = document.getElementById("hr-level");
  const netResult = document.getElementById("hr-net-result");
  const advice = document.getElementById("hr-advice");
  const again = document.getElementById("hr-net-again");
  // Suggested thresholds (Mbit/s): a 360p call needs about 1, audio about 0.1.
  const VIDEO_MBPS = 1.0;
  const AUDIO_MBPS = 0.15;
  let stream = null;
  let audioCtx = null;
  let camOk = false;
  let micOk = false;
  let mbps = null;
  let heard = false;

  function choose(value) {
    const input = form.querySelector(`input[name=participation][value="${value}"]`);
    if (input && !form.dataset.touched) input.checked = true;
  }

  form.addEventListener("change", (e) => {
    if (e.target.name === "participation") form.dataset.touched = "1";
  });

  function advise() {
    let suggestion = "video";
    let text = "";
    if (mbps !== null) {
      if (mbps < AUDIO_MBPS) suggestion = "text";
      else if (mbps < VIDEO_MBPS) suggestion = "audio";
      text = t(suggestion);
    }
    if (!camOk && suggestion === "video") suggestion = micOk ? "audio" : "text";
    if (!micOk && suggestion !== "text" && stream !== null) suggestion = "text";
    form.dataset.suggested = suggestion;
    advice.textContent = text;
    choose(suggestion);
  }

  async function devices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      camResult.textContent = t("nodevice");
      advise();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    } catch (e) {
      // The camera may be the only thing refused or missing: try the microphone alone.
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (e2) {
        stream = null;
      }
    }
    if (!stream) {
      camResult.textContent = t("nocam");
      micResult.textContent = t("nomic");
      advise();
      return;
    }
    const vt = stream.getVideoTracks()[0];
    if (vt) {
      camOk = true;
      video.srcObject = stream;
      const s = vt.getSettings();
      camResult.textContent = `${vt.label || ""} ${s.width || ""}×${s.height || ""}`.trim();
      camResult.dataset.ok = "1";
    } else {
      camResult.textContent = t("nocam");
    }
    const at = stream.getAudioTracks()[0];
    if (at) {
      micOk = true;
      micResult.textContent = at.label || "";
      meter(new MediaStream([at]));
    } else {
      micResult.textContent = t("nomic");
    }
    advise();
  }

  function meter(audioStream) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audioCtx = new Ctx();
    const source = audioCtx.createMediaStreamSource(audioStream);
    const analyser = audioCtx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    const tick = () => {
      if (!audioCtx) return;
      analyser.getByteTimeDomainData(data);
      let sum = 0;
      for (let i = 0; i < data.length; i++) {
        const v = (data[i] - 128) / 128;
        sum += v * v;
      }
      const rms = Math.sqrt(sum / data.length);
      const value = Math.min(100, Math.round(rms * 300));
      level.value = value;
      if (value > 3 && !heard) {
        heard = true;
        micResult.textContent = `${micResult.textContent.split(" · ")[0]} · ${t("heard")}`;
        micResult.dataset.ok = "1";
      }
      requestAnimationFrame(tick);
    };
    if (audioCtx.state === "suspended") audioCtx.resume().catch(() => {});
    tick();
    setTimeout(() => {
      if (!heard) micResult.textContent = `${micResult.textContent} · ${t("silent")}`;
    }, 4000);
  }

  async function speed() {
    netResult.textContent = t("measuring");
    again.disabled = true;
    const bytes = Number(form.dataset.probeBytes);
    const url = `${form.dataset.probe}?r=${Date.now()}`;
    try {
      const started = performance.now();
      const r = await fetch(url, { cache: "no-store", credentials: "omit" });
      const body = await r.arrayBuffer();
      const seconds = Math.max((performance.now() - started) / 1000, 0.001);
      if (!r.ok || body.byteLength < bytes * 0.9) throw new Error("short");
      mbps = (body.byteLength * 8) / seconds / 1e6;
      const shown = mbps >= 100 ? Math.round(mbps) : mbps.toFixed(1);
      netResult.textContent = t("speed").replace("%s", shown);
      netResult.dataset.mbps = mbps.toFixed(2);
    } catch (e) {
      mbps = null;
      netResult.textContent = t("failed");
    }
    again.disabled = false;
    advise();
  }

  again.addEventListener("click", speed);
  window.addEventListener("pagehide", () => {
    if (stream) stream.getTracks().forEach((tr) => tr.stop());
    if (audioCtx) audioCtx.close();
    audioCtx = null;
  });
  devices().then(speed);
})();
