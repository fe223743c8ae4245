/* The courtroom page: the session's socket (state and live events, hearings/consumers.py),
   the media through Janus VideoRoom (janus.js from npm janus-gateway, loaded only here and
   only when this person sends or receives media), and the judge's and clerk's console.

   Media: one publisher handle (own camera and microphone, or the microphone alone, or
   nothing for text-only) and one multistream subscriber handle for everyone else. The token
   from POST /api/v1/sessions/{id}/join goes both to the Janus session and to the VideoRoom
   join, so Janus itself refuses a stranger. What the page knows of its own connection goes
   to the socket as a report (media_connected with the feed id, ice_failed, hangup,
   page_closing), so the attendance log tells a network failure from leaving. */

const root = document.getElementById("hr-room");
const api = window.hearingApi;
const T = (k, ...args) => {
  const key = "t" + k.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase());
  let text = root.dataset[key] || k;
  for (const a of args) text = text.replace("%s", a);
  return text;
};
const fmt = (k, values) => {
  let text = T(k);
  for (const [name, value] of Object.entries(values)) text = text.replace(`%(${name})s`, value);
  return text;
};
const $ = (id) => document.getElementById(id);
const sessionId = Number(root.dataset.session);
const mySeatId = Number(root.dataset.seat);
const isCourt = root.dataset.court === "1";
const isPresiding = root.dataset.presiding === "1";
let participation = root.dataset.participation; // video | audio | text
let state = JSON.parse($("hr-state").textContent);
const exhibits = JSON.parse($("hr-exhibits").textContent);
const identities = JSON.parse($("hr-identities").textContent);
const labels = JSON.parse($("hr-labels").textContent);
const statusLabels = labels.status;
const tiles = new Map(); // seat id (or "f<feed>") -> {el, video, stream}
let sock = null;
let leaving = false;
let ref = 0;

// Constant-bitrate Opus at 32 kbit/s (docs/hearings.md, "实时转写"): Janus writes each
// recording in 4 KiB blocks, and variable-bitrate Opus is so small in a pause that a block
// takes ~2.5 s to fill, holding back the end of an utterance and so its transcript line; at a
// constant 32 kbit/s a block comes every ~0.7 s (p95 delay 3.1 s -> 1.5 s, docs/benchmarks.md).
// Set on the Opus fmtp line(s) of an SDP, other parameters kept (or a line added if none).
// Used on our offer (what we ask for) and on Janus's answer, because the browser configures
// its encoder from the remote description's fmtp and the VideoRoom does not echo these.
const OPUS_CBR = { cbr: "1", maxaveragebitrate: "32000" };
const OPUS_CBR_KEYS = new Set(Object.keys(OPUS_CBR));

function opusCbr(sdp) {
  if (!sdp) return sdp;
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const rows = sdp.split(eol);
  const opus = new Set();
  for (const row of rows) {
    const m = /^a=rtpmap:(\d+) opus\/48000/i.exec(row);
    if (m) opus.add(m[1]);
  }
  const out = [];
  const done = new Set();
  for (const row of rows) {
    const f = /^a=fmtp:(\d+) (.*)$/.exec(row);
    if (f && opus.has(f[1])) {
      const params = f[2].split(";").map((p) => p.trim()).filter(Boolean)
        .filter((p) => !OPUS_CBR_KEYS.has(p.split("=")[0].trim().toLowerCase()));
      for (const [k, v] of Object.entries(OPUS_CBR)) params.push(`${k}=${v}`);
      out.push(`a=fmtp:${f[1]} ${params.join(";")}`);
      done.add(f[1]);
      continue;
    }
    out.push(row);
  }
  // An Opus payload type with no fmtp line: one after its rtpmap.
  for (const pt of opus) {
    if (done.has(pt)) continue;
    const at = out.findIndex((row) => row.toLowerCase().startsWith(`a=rtpmap:${pt} opus/48000`));
    out.splice(at + 1, 0, `a=fmtp:${pt} ${Object.entries(OPUS_CBR).map(([k, v]) => `${k}=${v}`).join(";")}`);
  }
  return out.join(eol);
}

function customizeOpus(jsep) {
  jsep.sdp = opusCbr(jsep.sdp);
}

// --- little helpers ----------------------------------------------------------------------------

function el(tag, cls, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text != null) n.textContent = text;
  return n;
}

function seatById(id) {
  return (state.seats || []).find((s) => s.id === Number(id));
}

function seatLabel(id) {
  const s = seatById(id);
  return s ? `${s.role_label} ${s.name}` : "";
}

function notice(text) {
  const n = $("hr-notice");
  n.textContent = text || "";
  n.hidden = !text;
}

function alertMsg(text) {
  const n = $("hr-alert");
  n.textContent = text || "";
  n.hidden = !text;
}

function line(text, at) {
  const feed = $("hr-feed");
  const li = el("li", "hr-line");
  const when = at ? new Date(at) : new Date();
  const time = el("time", "hr-line-time", when.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "Asia/Shanghai" }));
  time.dateTime = when.toISOString();
  li.append(time, el("span", "hr-line-text", text));
  feed.appendChild(li);
  while (feed.children.length > 300) feed.removeChild(feed.firstChild);
  feed.scrollTop = feed.scrollHeight;
}

function deviceId() {
  let id = localStorage.getItem("mc-hearing-device");
  if (!id) {
    id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).slice(0, 32);
    localStorage.setItem("mc-hearing-device", id);
  }
  return id;
}

// --- the state on screen -----------------------------------------------------------------------

function renderStatus() {
  const s = $("hr-status");
  s.dataset.status = state.status;
  s.textContent = statusLabels[state.status] || state.status_label || state.status;
  $("hr-lock").hidden = !state.locked;
  for (const li of $("hr-stages").children) {
    const on = li.dataset.stage === state.stage;
    li.classList.toggle("is-on", on);
    if (on) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  }
  const select = $("hr-stage-select");
  if (select && document.activeElement !== select && select.querySelector(`option[value="${state.stage}"]`)) select.value = state.stage;
}

function renderExhibit() {
  const box = $("hr-exhibit");
  const ex = state.exhibit;
  const img = $("hr-exhibit-img");
  const text = $("hr-exhibit-text");
  const file = $("hr-exhibit-file");
  if (!ex) {
    box.hidden = true;
    img.removeAttribute("src");
    return;
  }
  box.hidden = false;
  if (ex.hidden) {
    $("hr-exhibit-title").textContent = T("hidden-exhibit");
    $("hr-exhibit-page").textContent = "";
    img.hidden = true;
    text.hidden = true;
    file.hidden = true;
    return;
  }
  const page = ex.page || state.exhibit_page || 1;
  $("hr-exhibit-title").textContent = fmt("exhibit", { number: ex.number, name: ex.name });
  const pageText = fmt("page", { page, pages: ex.pages || 1 });
  const pageEl = $("hr-exhibit-page");
  pageEl.textContent = pageText;
  pageEl.dataset.page = page;
  box.dataset.exhibit = ex.number;
  box.dataset.page = page;
  const pdf = ex.mime === "application/pdf";
  if (pdf || ex.preview_url) {
    // The page the judge set: a PDF's page rendered for the courtroom; an image's preview.
    const src = pdf ? `${root.dataset.pageUrl}${page}/?e=${ex.id}` : ex.preview_url;
    if (img.getAttribute("src") !== src) img.src = src;
    img.alt = `${ex.name} ${pageText}`;
    img.hidden = false;
    img.onerror = () => { img.hidden = true; };
  } else {
    img.hidden = true;
  }
  const local = exhibits.find((e) => e.number === ex.number);
  text.textContent = local && local.text ? local.text : "";
  text.hidden = !text.textContent;
  if (ex.file_url) {
    file.href = `${ex.file_url}#page=${page}`;
    file.hidden = false;
  } else {
    file.hidden = true;
  }
}

function mySeat() {
  return seatById(mySeatId) || state.my_seat || {};
}

function renderMine() {
  const me = mySeat();
  const mic = $("hr-mic");
  const cam = $("hr-cam");
  if (me.muted) {
    mic.setAttribute("aria-pressed", "true");
    mic.disabled = true;
    mic.dataset.byJudge = "1";
  } else {
    mic.disabled = false;
    // Unmuted by the judge (or given the floor): the microphone is live again.
    if (mic.dataset.byJudge) mic.setAttribute("aria-pressed", "false");
    delete mic.dataset.byJudge;
  }
  if (cam) cam.disabled = Boolean(me.camera_off);
  const hand = $("hr-hand");
  if (hand) hand.setAttribute("aria-pressed", (state.hands || []).includes(mySeatId) ? "true" : "false");
  media.apply(me);
}

function renderTiles() {
  const grid = $("hr-grid");
  for (const [key, tile] of tiles) {
    const seat = seatById(tile.seat);
    const label = tile.el.querySelector(".hr-tile-label");
    const flags = tile.el.querySelector(".hr-tile-flags");
    if (seat) {
      label.textContent = `${seat.role_label} ${seat.name}${tile.seat === mySeatId ? `（${T("me")}）` : ""}`;
      const f = [];
      if (seat.muted) f.push(T("mic-off"));
      if (seat.camera_off) f.push(T("cam-off"));
      if ((state.hands || []).includes(seat.id)) f.push(T("hand"));
      flags.textContent = f.join(" · ");
    } else if (tile.display) {
      label.textContent = tile.display;
    }
    const spot = state.spotlight_seat_id != null && tile.seat === state.spotlight_seat_id;
    tile.el.classList.toggle("is-spot", spot);
    if (spot && grid.firstChild !== tile.el) grid.prepend(tile.el);
    tile.el.dataset.key = key;
  }
}

function renderPanel() {
  if (!isCourt) return;
  const waitingList = $("hr-waiting-list");
  const seatList = $("hr-seat-list");
  waitingList.replaceChildren();
  seatList.replaceChildren();
  const waiting = (state.seats || []).filter((s) => s.status === "waiting");
  if (!waiting.length) waitingList.appendChild(el("li", "mc-sub", T("no-one-waiting")));
  for (const s of waiting) {
    const li = el("li", "hr-person");
    li.dataset.seat = s.id;
    const who = el("div", "hr-person-who");
    who.appendChild(el("strong", null, `${s.role_label} ${s.name}`));
    const id = identities[String(s.id)];
    if (id) who.appendChild(el("span", "mc-sub", T("verified", `${id.name} ${id.id_number}`)));
    li.appendChild(who);
    li.appendChild(opButton(T("admit"), "admit", s.id, "weui-btn_primary"));
    waitingList.appendChild(li);
  }
  for (const s of state.seats || []) {
    if (s.status === "waiting" || s.id === mySeatId) continue;
    const li = el("li", "hr-person");
    li.dataset.seat = s.id;
    const who = el("div", "hr-person-who");
    who.appendChild(el("strong", null, `${s.role_label} ${s.name}`));
    const facts = [s.present ? T("present") : T("absent")];
    if (s.participation === "audio") facts.push(T("audio-only"));
    if (s.participation === "text") facts.push(T("text-only"));
    if (s.muted) facts.push(T("mic-off"));
    if (s.camera_off) facts.push(T("cam-off"));
    who.appendChild(el("span", "mc-sub", facts.join(" · ")));
    li.appendChild(who);
    const actions = el("div", "hr-person-ops");
    if (isPresiding && !["presiding_judge", "judge", "assistant", "clerk", "mediator"].includes(s.role)) {
      actions.appendChild(opButton(s.muted ? T("unmute") : T("mute"), s.muted ? "unmute" : "mute", s.id));
      actions.appendChild(opButton(s.camera_off ? T("cam-on-btn") : T("cam-off-btn"), s.camera_off ? "camera_on" : "camera_off", s.id));
      if (s.role === "witness") actions.appendChild(opButton(s.called ? T("excuse") : T("call"), s.called ? "excuse" : "call", s.id));
      if ((state.hands || []).includes(s.id)) actions.appendChild(opButton(T("floor"), "give_floor", s.id));
      if (s.status !== "removed") actions.appendChild(opButton(T("remove"), "remove", s.id, "weui-btn_warn"));
      if (s.status === "removed") actions.appendChild(opButton(T("admit"), "admit", s.id));
    }
    if (isPresiding) {
      const spot = state.spotlight_seat_id === s.id;
      actions.appendChild(opButton(spot ? T("unspot") : T("spot"), "spotlight", spot ? null : s.id));
    }
    li.appendChild(actions);
    seatList.appendChild(li);
  }
}

function opButton(label, op, seat, cls) {
  const b = el("button", `weui-btn weui-btn_mini ${cls || "weui-btn_default"}`, label);
  b.type = "button";
  b.dataset.op = op;
  if (seat !== undefined) b.dataset.seat = seat === null ? "" : seat;
  return b;
}

function renderAll() {
  renderStatus();
  renderExhibit();
  renderMine();
  renderTiles();
  renderPanel();
}

// --- the socket --------------------------------------------------------------------------------

function patchSeats(ids, changes) {
  for (const id of ids || []) {
    const s = seatById(id);
    if (s) Object.assign(s, changes);
  }
}

function onEvent(e) {
  // Others on the page (the transcript pane, transcript.js) listen to the same socket.
  document.dispatchEvent(new CustomEvent("hearing:event", { detail: e }));
  const mine = e.seat === mySeatId || (e.seats || []).includes(mySeatId);
  switch (e.event) {
    case "status":
      state.status = e.status;
      state.status_label = statusLabels[e.status] || e.status;
      line(T("ev-status", state.status_label));
      if (e.status === "closed") {
        alertMsg(T("closed"));
        media.stop();
      }
      break;
    case "stage":
      state.stage = e.stage;
      line(T("ev-stage", e.stage_label || e.stage));
      break;
    case "muted":
      patchSeats(e.seats, { muted: e.muted });
      line(T(e.muted ? "ev-muted" : "ev-unmuted", (e.seats || []).map(seatLabel).join("、")));
      if (mine) notice(e.muted ? T("muted") : T("unmuted"));
      break;
    case "camera":
      patchSeats(e.seats, { camera_off: e.camera_off });
      line(T(e.camera_off ? "ev-camera" : "ev-camera-on", (e.seats || []).map(seatLabel).join("、")));
      if (mine) notice(e.camera_off ? T("camera-off") : T("camera-on"));
      break;
    case "spotlight":
      state.spotlight_seat_id = e.seat;
      if (e.seat) line(T("ev-spotlight", seatLabel(e.seat)));
      break;
    case "locked":
      state.locked = e.locked;
      line(T(e.locked ? "ev-locked" : "ev-unlocked"));
      break;
    case "exhibit":
      state.exhibit = e.exhibit;
      if (e.exhibit) state.exhibit_page = e.exhibit.page;
      line(e.exhibit ? T("ev-exhibit", e.exhibit.hidden ? "" : `${e.exhibit.number}. ${e.exhibit.name} · ${fmt("page", { page: e.exhibit.page, pages: e.exhibit.pages })}`) : T("ev-exhibit-clear"));
      break;
    case "called":
      patchSeats([e.seat], { called: true });
      line(T("ev-called", seatLabel(e.seat)));
      break;
    case "excused":
      patchSeats([e.seat], { called: false });
      line(T("ev-excused", seatLabel(e.seat)));
      break;
    case "hand":
      state.hands = e.hands || [];
      if (e.raised) line(T("ev-hand", seatLabel(e.seat)));
      break;
    case "floor":
      patchSeats(e.muted_seats, { muted: true });
      patchSeats([e.seat], { muted: false });
      state.hands = (state.hands || []).filter((h) => h !== e.seat);
      line(T("ev-floor", seatLabel(e.seat)));
      if (e.seat === mySeatId) notice(T("unmuted"));
      else if ((e.muted_seats || []).includes(mySeatId)) notice(T("muted"));
      break;
    case "feed":
      state.feeds = state.feeds || {};
      state.feeds[String(e.seat)] = e.feed_id;
      media.relabel();
      break;
    case "admitted":
      patchSeats([e.seat], { status: "admitted" });
      line(T("ev-admitted", seatLabel(e.seat)));
      break;
    case "waiting":
      patchSeats([e.seat], { status: "waiting" });
      if (!seatById(e.seat)) sock.send({ action: "resync" });
      line(T("ev-waiting", seatLabel(e.seat) || e.name || ""));
      break;
    case "removed":
      patchSeats([e.seat], { status: "removed", present: false });
      line(T("ev-removed", seatLabel(e.seat)));
      if (e.seat === mySeatId) {
        alertMsg(T("removed"));
        media.stop();
      }
      break;
    case "replaced":
      if (e.seat === mySeatId && e.device !== undefined && e.device !== deviceId()) break;
      break;
    case "attendance":
      if (e.seat && seatById(e.seat)) {
        patchSeats([e.seat], { present: ["joined", "rejoined", "admitted"].includes(e.kind) ? true : seatById(e.seat).present });
        const what = [labels.attendance[e.kind] || e.kind, labels.cause[e.cause]].filter(Boolean).join(" · ");
        // Arrivals, admissions and removals have their own lines; these are the connection's.
        if (isCourt && !["waiting", "admitted", "removed"].includes(e.kind)) line(T("ev-attendance", seatLabel(e.seat), what), e.at);
      }
      break;
    case "error":
      if (isCourt) {
        const box = $("hr-panel-error");
        box.textContent = e.message;
        box.hidden = false;
      } else {
        notice(e.message);
      }
      return;
    case "ok":
      if (isCourt) $("hr-panel-error").hidden = true;
      return;
    default:
      return;
  }
  renderAll();
}

function onState(s) {
  if (s.in_room === false) {
    // A witness sent back out, or removed: the waiting room tells them what happens next.
    media.stop();
    if (!leaving) {
      leaving = true;
      sock.close(4000); // moving to the waiting room, not leaving
      location.assign(root.dataset.waiting);
    }
    return;
  }
  state = s;
  renderAll();
  media.relabel();
}

// --- media through Janus -----------------------------------------------------------------------

const media = {
  janus: null,
  pub: null,
  sub: null,
  joinInfo: null,
  myFeed: null,
  subscribed: new Set(), // feed ids asked for
  subJoined: false,
  pendingFeeds: [],
  midFeed: new Map(), // mid -> feed id
  feedStream: new Map(), // feed id -> MediaStream
  localStream: null,
  sendsVideo: false,
  sendsAudio: false,
  iceTimer: null,
  stopped: false,
  appliedMuted: null,
  appliedCamOff: null,

  async start() {
    if (participation === "text") {
      line(T("text-only"));
      return;
    }
    notice(T("connecting"));
    let Janus;
    try {
      // The device's id and, for the courtroom's camera, which of the person's seats.
      const query = new URLSearchParams({ device: deviceId() });
      if (root.dataset.seatAsked) query.set("seat", root.dataset.seatAsked);
      this.joinInfo = await api(`/sessions/${sessionId}/join?${query}`, { method: "POST" });
      await loadScript(root.dataset.adapter);
      Janus = (await import(root.dataset.janus)).default;
    } catch (err) {
      this.unavailable(err.message);
      return;
    }
    this.Janus = Janus;
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies({ adapter: window.adapter }),
      callback: () => this.connect(),
    });
  },

  unavailable(detail) {
    notice("");
    alertMsg(T("no-janus") + (detail ? ` (${detail})` : ""));
    root.classList.add("no-media");
  },

  connect() {
    const info = this.joinInfo;
    this.janus = new this.Janus({
      server: info.janus_url,
      token: info.token,
      iceServers: info.ice_servers || [],
      success: () => this.attachPublisher(),
      error: (err) => {
        if (this.stopped) return;
        this.unavailable(String(err));
        report("ice_failed");
      },
      destroyed: () => {},
    });
  },

  attachPublisher() {
    const info = this.joinInfo;
    this.janus.attach({
      plugin: "janus.plugin.videoroom",
      opaqueId: `seat-${mySeatId}`,
      success: (handle) => {
        this.pub = handle;
        handle.send({ message: { request: "join", ptype: "publisher", room: info.room, display: info.display, token: info.token } });
      },
      error: (err) => this.unavailable(String(err)),
      iceState: (s) => this.ice(s),
      webrtcState: (on) => {
        if (on) {
          notice("");
          line(T("connected"));
          report("media_connected", { feed_id: this.myFeed });
        }
      },
      onlocaltrack: (track, on) => this.localTrack(track, on),
      onmessage: (msg, jsep) => this.pubMessage(msg, jsep),
    });
  },

  pubMessage(msg, jsep) {
    const kind = msg.videoroom;
    if (kind === "joined") {
      this.myFeed = msg.id;
      // The room lets only its own publishers subscribe (require_pvtid): our private id.
      this.privateId = msg.private_id;
      this.publish();
      this.addPublishers(msg.publishers || []);
    } else if (kind === "event") {
      if (msg.publishers) this.addPublishers(msg.publishers);
      const gone = msg.unpublished || msg.leaving;
      if (gone && gone !== "ok") this.removeFeed(gone);
      if (msg.unpublished === "ok") this.removeOwn();
      if (msg.error) {
        if (msg.error_code === 433 || msg.error_code === 428 || msg.error_code === 426) this.unavailable(msg.error);
        else notice(msg.error);
      }
    }
    if (jsep) this.pub.handleRemoteJsep({ jsep, customizeSdp: customizeOpus });
  },

  publish(audioOnly) {
    const video = participation === "video" && !audioOnly;
    const tracks = [{ type: "audio", capture: true, recv: false }];
    if (video) tracks.push({ type: "video", capture: { width: 640, height: 360 }, recv: false });
    this.pub.createOffer({
      tracks,
      customizeSdp: customizeOpus,
      success: (jsep) => {
        this.sendsAudio = true;
        this.sendsVideo = video;
        this.pub.send({ message: { request: "publish", audio: true, video, display: this.joinInfo.display }, jsep });
        this.apply(mySeat());
      },
      error: (err) => {
        if (video) {
          // The camera failed (refused, missing, busy): go on with the microphone alone.
          notice(T("no-camera"));
          participation = "audio";
          $("hr-cam").hidden = true;
          this.publish(true);
        } else {
          notice(T("no-media"));
          participation = "text";
          $("hr-mic").hidden = true;
          $("hr-cam").hidden = true;
          // Still watch and listen to the others.
        }
      },
    });
  },

  ice(s) {
    clearTimeout(this.iceTimer);
    if (s === "failed") {
      notice(T("ice-failed"));
      report("ice_failed");
    } else if (s === "disconnected") {
      notice(T("ice-lost"));
      this.iceTimer = setTimeout(() => report("ice_disconnected"), 5000);
    } else if (s === "connected" || s === "completed") {
      notice("");
    }
  },

  localTrack(track, on) {
    if (track.kind !== "video") return;
    const tile = ensureTile(String(mySeatId), mySeatId, this.joinInfo.display, true);
    if (on === false) {
      tile.video.srcObject = null;
      return;
    }
    tile.stream = new MediaStream([track]);
    tile.video.srcObject = tile.stream;
    renderTiles();
  },

  addPublishers(list) {
    const feeds = list.map((p) => p.id).filter((id) => id !== this.myFeed && !this.subscribed.has(id));
    for (const p of list) this.feedDisplay(p.id, p.display);
    if (!feeds.length) return;
    for (const f of feeds) this.subscribed.add(f);
    if (!this.sub) {
      this.pendingFeeds.push(...feeds);
      this.attachSubscriber();
    } else if (!this.subJoined) {
      this.pendingFeeds.push(...feeds);
    } else {
      this.sub.send({ message: { request: "subscribe", streams: feeds.map((feed) => ({ feed })) } });
    }
  },

  displays: new Map(),
  feedDisplay(feed, display) {
    if (display) this.displays.set(feed, display);
  },

  attachSubscriber() {
    const info = this.joinInfo;
    this.janus.attach({
      plugin: "janus.plugin.videoroom",
      opaqueId: `seat-${mySeatId}-sub`,
      success: (handle) => {
        this.sub = handle;
        const feeds = this.pendingFeeds.splice(0);
        handle.send({
          message: { request: "join", ptype: "subscriber", room: info.room, token: info.token, private_id: this.privateId, streams: feeds.map((feed) => ({ feed })) },
          error: (err) => notice(String(err)),
        });
      },
      error: (err) => this.unavailable(String(err)),
      iceState: (s) => this.ice(s),
      onmessage: (msg, jsep) => {
        if (msg.videoroom === "attached") {
          this.subJoined = true;
          const more = this.pendingFeeds.splice(0);
          if (more.length) this.sub.send({ message: { request: "subscribe", streams: more.map((feed) => ({ feed })) } });
        }
        if (msg.streams) {
          for (const s of msg.streams) if (s.mid != null && s.feed_id != null) this.midFeed.set(String(s.mid), s.feed_id);
        }
        if (msg.error) notice(msg.error);
        if (jsep) {
          this.sub.createAnswer({
            jsep,
            tracks: [{ type: "data" }],
            success: (answer) => this.sub.send({ message: { request: "start", room: info.room }, jsep: answer }),
            error: (err) => notice(String(err && err.message ? err.message : err)),
          });
        }
      },
      onremotetrack: (track, mid, on) => this.remoteTrack(track, mid, on),
    });
  },

  seatOfFeed(feed) {
    for (const [seat, f] of Object.entries(state.feeds || {})) if (Number(f) === Number(feed)) return Number(seat);
    // Not yet told by the server: match the display (the seat's label) to a seat.
    const display = this.displays.get(feed);
    const seat = (state.seats || []).find((s) => `${s.role_label} ${s.name}` === display);
    return seat ? seat.id : null;
  },

  remoteTrack(track, mid, on) {
    const feed = this.midFeed.get(String(mid));
    if (feed == null) return;
    const seat = this.seatOfFeed(feed);
    const key = seat != null ? String(seat) : `f${feed}`;
    const tile = ensureTile(key, seat, this.displays.get(feed), false);
    tile.feed = feed;
    if (!tile.stream) tile.stream = new MediaStream();
    if (on === false) {
      for (const t of tile.stream.getTracks()) if (t.id === track.id) tile.stream.removeTrack(t);
    } else if (!tile.stream.getTracks().some((t) => t.id === track.id)) {
      tile.stream.addTrack(track);
    }
    if (tile.video.srcObject !== tile.stream) tile.video.srcObject = tile.stream;
    tile.el.classList.toggle("has-video", tile.stream.getVideoTracks().length > 0);
    tile.video.play().catch(() => {});
    renderTiles();
  },

  relabel() {
    // A tile made before the server told us whose feed it is, moves under its seat.
    for (const [key, tile] of [...tiles]) {
      if (!key.startsWith("f")) continue;
      const seat = this.seatOfFeed(tile.feed);
      if (seat != null) {
        tiles.delete(key);
        tile.seat = seat;
        tiles.set(String(seat), tile);
      }
    }
    renderTiles();
  },

  removeFeed(feed) {
    this.subscribed.delete(feed);
    for (const [key, tile] of tiles) {
      if (tile.feed === feed) {
        tile.el.remove();
        tiles.delete(key);
      }
    }
    for (const [mid, f] of this.midFeed) if (f === feed) this.midFeed.delete(mid);
  },

  removeOwn() {
    const tile = tiles.get(String(mySeatId));
    if (tile) {
      tile.el.remove();
      tiles.delete(String(mySeatId));
    }
  },

  // What the judge set for this seat, applied to the tracks we send.
  apply(me) {
    if (!this.pub || !this.sendsAudio) return;
    const muted = Boolean(me.muted) || $("hr-mic").getAttribute("aria-pressed") === "true";
    if (muted !== this.appliedMuted) {
      if (muted) this.pub.muteAudio();
      else this.pub.unmuteAudio();
      this.appliedMuted = muted;
    }
    if (this.sendsVideo) {
      const off = Boolean(me.camera_off) || $("hr-cam").getAttribute("aria-pressed") === "true";
      if (off !== this.appliedCamOff) {
        if (off) this.pub.muteVideo();
        else this.pub.unmuteVideo();
        this.appliedCamOff = off;
      }
    }
  },

  stop() {
    this.stopped = true;
    try {
      if (this.janus) this.janus.destroy({ cleanupHandles: true, unload: true });
    } catch (e) { /* leaving anyway */ }
    this.janus = null;
  },
};

function ensureTile(key, seat, display, mine) {
  let tile = tiles.get(key);
  if (tile) return tile;
  const fig = el("figure", `hr-tile${mine ? " is-me" : ""}`);
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  if (mine) video.muted = true; // never play one's own voice back
  const cap = el("figcaption", "hr-tile-cap");
  cap.append(el("span", "hr-tile-label", display || ""), el("span", "hr-tile-flags"));
  fig.append(video, cap);
  $("hr-grid").appendChild(fig);
  tile = { el: fig, video, stream: null, seat, display, feed: null };
  if (seat != null) fig.dataset.seat = seat;
  tiles.set(key, tile);
  return tile;
}

function loadScript(src) {
  if (window.adapter) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error("adapter.js"));
    document.head.appendChild(s);
  });
}

function report(what, extra) {
  if (!sock) return;
  sock.send(Object.assign({ action: "report", report: what }, extra || {}));
}

// --- controls ----------------------------------------------------------------------------------

function control(op, data) {
  const message = Object.assign({ action: "control", op, ref: ++ref }, data || {});
  if (sock && sock.send(message)) return Promise.resolve();
  const body = Object.assign({ op }, data || {});
  return api(`/sessions/${sessionId}/control`, { method: "POST", body }).catch((err) => {
    const box = $("hr-panel-error");
    if (box) {
      box.textContent = err.message;
      box.hidden = false;
    } else {
      notice(err.message);
    }
  });
}

function lifecycle(what) {
  if (what === "close" && !window.confirm(T("confirm-close"))) return;
  const body = what === "recess" ? { note: "" } : undefined;
  api(`/sessions/${sessionId}/${what}`, { method: "POST", body: body || {} })
    .then((s) => {
      Object.assign(state, { status: s.status, status_label: s.status_label, version: s.version });
      renderAll();
      $("hr-panel-error").hidden = true;
    })
    .catch((err) => {
      const box = $("hr-panel-error");
      box.textContent = err.message;
      box.hidden = false;
    });
}

root.addEventListener("click", (e) => {
  const b = e.target.closest("button");
  if (!b || !root.contains(b)) return;
  if (b.dataset.life) return lifecycle(b.dataset.life);
  if (b.dataset.op) {
    const op = b.dataset.op;
    const data = {};
    if ("seat" in b.dataset) data.seat = b.dataset.seat === "" ? null : Number(b.dataset.seat);
    if (op === "remove" && !window.confirm(T("confirm-remove", seatLabel(data.seat)))) return;
    return control(op, data);
  }
});

if (isPresiding) {
  $("hr-stage-next").addEventListener("click", () => control("stage", { stage: $("hr-stage-select").value }));
  const exSelect = $("hr-ex-select");
  const exPage = $("hr-ex-page");
  $("hr-ex-show").addEventListener("click", () => {
    if (!exSelect.value) return;
    control("exhibit", { exhibit: Number(exSelect.value), page: Number(exPage.value) || 1 });
  });
  $("hr-ex-page-btn").addEventListener("click", () => control("page", { page: Number(exPage.value) || 1 }));
}

$("hr-mic").addEventListener("click", (e) => {
  const b = e.currentTarget;
  b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
  media.apply(mySeat());
});
$("hr-cam").addEventListener("click", (e) => {
  const b = e.currentTarget;
  b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
  media.apply(mySeat());
});
const handBtn = $("hr-hand");
if (handBtn) {
  handBtn.addEventListener("click", () => {
    control(handBtn.getAttribute("aria-pressed") === "true" ? "lower_hand" : "raise_hand");
  });
}
const panelOpen = $("hr-panel-open");
if (panelOpen) {
  const panel = $("hr-panel");
  panelOpen.addEventListener("click", () => {
    const open = !panel.classList.contains("is-open");
    panel.classList.toggle("is-open", open);
    panelOpen.setAttribute("aria-expanded", String(open));
  });
  $("hr-panel-close").addEventListener("click", () => {
    panel.classList.remove("is-open");
    panelOpen.setAttribute("aria-expanded", "false");
    panelOpen.focus();
  });
}

$("hr-hangup").addEventListener("click", () => {
  leaving = true;
  report("hangup");
  media.stop();
  setTimeout(() => {
    if (sock) sock.close(1000);
    const main = root.querySelector(".hr-layout");
    main.replaceChildren();
    const box = el("div", "weui-msg");
    box.appendChild(el("h2", "weui-msg__title", T("left")));
    const again = el("a", "weui-btn weui-btn_primary", T("rejoin"));
    again.href = location.pathname;
    box.appendChild(again);
    main.appendChild(box);
    root.querySelector(".hr-bar").hidden = true;
  }, 150);
});

window.addEventListener("pagehide", () => {
  if (leaving) return;
  leaving = true;
  report("page_closing");
  if (sock) sock.close(1001);
  media.stop();
});

// --- start -------------------------------------------------------------------------------------

sock = new window.HearingSocket(sessionId, {
  onState,
  onEvent,
  onConnection(up, code) {
    if (up) {
      if (root.dataset.wasDown) notice(T("online"));
      delete root.dataset.wasDown;
    } else if (code !== 1000 && !leaving) {
      root.dataset.wasDown = "1";
      notice(T("offline"));
    }
  },
  onGone(code) {
    if (code === 4409) alertMsg(T("superseded"));
    else alertMsg(T("gone"));
    media.stop();
  },
});
renderAll();
media.start();
window.__courtroom = { state: () => state, tiles, media, opusCbr };
