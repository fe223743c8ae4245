/* 庭审直播: a read-only viewer of one public hearing. It asks Django for a short-lived viewer
   token, subscribes (never publishes: no getUserMedia, no "publisher" join) to the feeds
   Django lists, renews the token with a heartbeat and revokes it on leaving. */
const root = document.getElementById("live-player");
if (root) {
  const t = (k) => root.dataset["t" + k.charAt(0).toUpperCase() + k.slice(1)] || k;
  const statusEl = document.getElementById("live-status");
  const stageEl = document.getElementById("live-stage");
  const videos = document.getElementById("live-videos");
  const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
  let viewer = null, janus = null, handle = null, feedKey = "", timer = null, Janus = null, grant = null;

  const say = (text) => { if (statusEl) statusEl.textContent = text; };
  const post = (url, body) => fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: body ? JSON.stringify(body) : "{}",
  });

  function stop(text) {
    if (timer) clearInterval(timer);
    timer = null;
    if (janus) { try { janus.destroy({ unload: true }); } catch (e) { /* gone already */ } }
    janus = handle = null;
    videos.replaceChildren();
    say(text);
  }

  function subscribe(feeds) {
    const key = feeds.map((f) => f.id).sort().join(",");
    if (key === feedKey && handle) return;
    feedKey = key;
    if (handle) { try { handle.detach(); } catch (e) { /* ignore */ } handle = null; }
    videos.replaceChildren();
    if (!feeds.length) return;
    janus.attach({
      plugin: "janus.plugin.videoroom",
      success(h) {
        handle = h;
        h.send({ message: { request: "join", ptype: "subscriber", room: grant.room, token: grant.token,
                            streams: feeds.map((f) => ({ feed: f.id })) } });
      },
      error() { say(t("unavailable")); },
      onmessage(msg, jsep) {
        if (jsep && handle) {
          handle.createAnswer({
            jsep, tracks: [{ type: "data" }],
            success(answer) { handle.send({ message: { request: "start", room: grant.room }, jsep: answer }); },
            error() { say(t("unavailable")); },
          });
        }
      },
      onremotetrack(track, mid, on) {
        const id = "live-track-" + mid;
        let el = document.getElementById(id);
        if (!on) { if (el) el.remove(); return; }
        if (!el) {
          el = document.createElement(track.kind === "video" ? "video" : "audio");
          el.id = id; el.autoplay = true; el.playsInline = true;
          if (track.kind === "video") { el.className = "mc-live-video"; el.style.width = "100%"; }
          videos.appendChild(el);
        }
        el.srcObject = new MediaStream([track]);
        // A browser that blocks playing with sound before a tap gets the controls to start it.
        const started = el.play && el.play();
        if (started && started.catch) started.catch(() => { el.controls = true; });
      },
    });
  }

  async function beat() {
    const r = await post(root.dataset.heartbeat, { viewer });
    if (r.status === 503) return;  // the server was busy: the next beat renews the token
    if (!r.ok) return stop(t("ended"));
    const s = await r.json();
    if (stageEl) stageEl.textContent = s.stage === "not_started" ? "" : s.stage_label;
    say(s.status === "recess" ? t("recess") : "");
    if (janus) subscribe(s.feeds);
  }

  async function start() {
    say(t("connecting"));
    const r = await post(root.dataset.view);
    if (r.status === 409) {
      const body = await r.json().catch(() => ({}));
      return stop(body.error && body.error.code === "live_full" ? t("full") : (body.error || {}).message || t("ended"));
    }
    if (r.status === 429) return stop(t("busy"));
    if (!r.ok) return stop(t("unavailable"));
    grant = await r.json();
    viewer = grant.viewer;
    timer = setInterval(beat, grant.heartbeat_seconds * 1000);
    ({ default: Janus } = await import(root.dataset.janus));
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies({ adapter: window.adapter }),
      callback() {
        janus = new Janus({
          server: grant.janus_url, token: grant.token, iceServers: grant.ice_servers,
          success() { say(grant.status === "recess" ? t("recess") : ""); subscribe(grant.feeds); },
          error() { say(t("unavailable")); },
        });
      },
    });
  }

  window.addEventListener("pagehide", () => {
    if (!viewer) return;
    const body = new Blob([JSON.stringify({ viewer })], { type: "application/json" });
    navigator.sendBeacon(root.dataset.leave, body);
  });
  start();
}
