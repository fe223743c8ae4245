/* 庭审直播: a read-only viewer of one public hearing. It asks Django for a short-lived viewer
   token (Janus lets it use the Streaming plugin only: it cannot even attach to the hearing's
   VideoRoom) and the pin of the hearing's mountpoints, watches one mountpoint per speaker
   (the Streaming plugin's "watch", then "start" with the answer; no getUserMedia), follows
   the speakers Django lists with each heartbeat, and revokes the token on leaving. */
const root = document.getElementById("live-player");
if (root) {
  const t = (k) => root.dataset["t" + k.charAt(0).toUpperCase() + k.slice(1)] || k;
  const statusEl = document.getElementById("live-status");
  const stageEl = document.getElementById("live-stage");
  const videos = document.getElementById("live-videos");
  const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
  const watching = new Map();  // mountpoint id → {handle, box}
  let viewer = null, janus = null, timer = null, Janus = null, grant = null, feeds = [];

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
    janus = null;
    watching.clear();
    videos.replaceChildren();
    say(text);
  }

  function unwatch(id) {
    const seen = watching.get(id);
    if (!seen) return;
    watching.delete(id);
    seen.box.remove();
    if (seen.handle) { try { seen.handle.detach(); } catch (e) { /* gone already */ } }
  }

  function play(box, track, mid) {
    const id = "live-track-" + box.dataset.mountpoint + "-" + mid;
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement(track.kind === "video" ? "video" : "audio");
      el.id = id; el.autoplay = true; el.playsInline = true;
      if (track.kind === "video") { el.className = "mc-live-video"; el.style.width = "100%"; }
      box.appendChild(el);
    }
    el.srcObject = new MediaStream([track]);
    // A browser that blocks playing with sound before a tap gets the controls to start it.
    const started = el.play && el.play();
    if (started && started.catch) started.catch(() => { el.controls = true; });
  }

  function watch(feed) {
    const id = String(feed.id);
    const box = document.createElement("div");
    box.className = "mc-live-feed";
    box.dataset.mountpoint = id;
    videos.appendChild(box);
    const seen = { handle: null, box };
    watching.set(id, seen);
    janus.attach({
      plugin: "janus.plugin.streaming",
      success(h) {
        seen.handle = h;
        h.send({ message: { request: "watch", id: feed.id, pin: grant.pin } });
      },
      error() { say(t("unavailable")); unwatch(id); },
      onmessage(msg, jsep) {
        const h = seen.handle;
        if (msg && msg.error) { unwatch(id); return; }  // gone (a recess): the next beat retries
        if (jsep && h) {
          h.createAnswer({
            jsep, tracks: [{ type: "data" }],
            success(answer) { h.send({ message: { request: "start" }, jsep: answer }); },
            error() { say(t("unavailable")); },
          });
        }
      },
      onremotetrack(track, mid, on) {
        if (!on) {
          const el = document.getElementById("live-track-" + id + "-" + mid);
          if (el) el.remove();
          return;
        }
        play(box, track, mid);
      },
      // The mountpoint went (a recess, the speaker left): forget it, so that the next
      // heartbeat watches it again if it is back.
      oncleanup() { if (watching.get(id) === seen) unwatch(id); },
    });
  }

  function follow(list) {
    feeds = list || [];
    if (!janus) return;
    const wanted = new Set(feeds.map((f) => String(f.id)));
    for (const id of [...watching.keys()]) if (!wanted.has(id)) unwatch(id);
    for (const feed of feeds) if (!watching.has(String(feed.id))) watch(feed);
  }

  async function beat() {
    const r = await post(root.dataset.heartbeat, { viewer });
    if (r.status === 503) return;  // the server was busy: the next beat renews the token
    if (!r.ok) return stop(t("ended"));
    const s = await r.json();
    if (stageEl) stageEl.textContent = s.stage === "not_started" ? "" : s.stage_label;
    say(s.status === "recess" ? t("recess") : "");
    follow(s.feeds);
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
          success() { say(grant.status === "recess" ? t("recess") : ""); follow(grant.feeds); },
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
