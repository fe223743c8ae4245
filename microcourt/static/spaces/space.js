/* The case space: websocket by seq, gap-fill on reconnect (after=last seq), posting through
   the API, voice notes with MediaRecorder. Messages are kept by seq, so a push that arrives
   out of order is placed where it belongs and a hole in the seqs asks the server again. */
(function () {
  "use strict";
  const root = document.getElementById("sp");
  if (!root) return;
  const t = (k) => root.dataset["t" + k.charAt(0).toUpperCase() + k.slice(1)] || k;
  const caseId = root.dataset.case;
  const me = Number(root.dataset.me);
  const space = JSON.parse(document.getElementById("sp-space").textContent);
  const list = document.getElementById("sp-list");
  const statusEl = document.getElementById("sp-status");
  const form = document.getElementById("sp-form");
  const textEl = document.getElementById("sp-text");
  const fileEl = document.getElementById("sp-file");
  const recBtn = document.getElementById("sp-rec");
  const recInd = document.getElementById("sp-rec-ind");
  const recTime = document.getElementById("sp-rec-time");
  const partyEl = document.getElementById("sp-party");
  const api = `/api/v1/cases/${caseId}/space`;
  const csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
  const headers = csrf ? { "X-CSRFToken": csrf[1] } : {};
  const messages = new Map(); // seq -> message
  const retracted = new Set(); // message ids taken back
  const pending = new Set(space.pending_reminders);
  let tab = "main";
  let ws = null;
  let retry = 500;

  // Reconnect asking from a little before the highest seq held: a push overtaken by a later
  // one (two senders at once) is then still fetched; duplicates are dropped by seq. Seqs of
  // threads this member may not see are holes for good, so holes are not chased.
  const REWIND = 50;
  function resumeFrom() {
    let high = 0;
    for (const seq of messages.keys()) if (seq > high) high = seq;
    return high ? Math.max(0, high - REWIND) : 0;
  }

  function add(m) {
    if (messages.has(m.seq)) return;
    messages.set(m.seq, m);
    if (m.retracts) retracted.add(m.retracts);
    render();
    markRead();
  }

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function bubble(m) {
    const li = el("li", "sp-msg");
    li.id = "m" + m.seq;
    li.dataset.seq = m.seq;
    if (m.sender === me) li.classList.add("is-mine");
    if (["judge", "clerk", "judge_assistant", "mediator"].includes(m.sender_role)) li.classList.add("is-court");
    if (m.kind === "retraction") {
      const note = el("li", "sp-note", `${m.sender_name} ${t("retracted")}`);
      note.id = li.id;
      note.dataset.seq = m.seq;
      return note;
    }
    if (retracted.has(m.id)) li.classList.add("is-retracted");
    if (pending.has(m.id)) li.classList.add("is-key");
    const time = new Date(m.created_at).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai" });
    const read = m.sender === me && readers(m) ? ` · ${t("read")} ${readers(m)}` : "";
    li.appendChild(el("span", "sp-meta", `${m.sender_name}（${m.sender_role_label}） ${time}${read}`));
    const b = el("div", "sp-bubble");
    if (m.attachment) {
      if (m.kind === "image") {
        const img = el("img");
        img.src = m.attachment.url;
        img.alt = m.attachment.name;
        img.loading = "lazy";
        b.appendChild(img);
      } else if (m.kind === "voice") {
        const a = el("audio");
        a.controls = true;
        a.preload = "none";
        a.src = m.attachment.url;
        b.appendChild(a);
      } else {
        const a = el("a", "", m.attachment.name);
        a.href = m.attachment.url;
        b.appendChild(a);
      }
      if (m.text) b.appendChild(el("div", "", m.text));
    } else {
      b.textContent = m.text;
    }
    li.appendChild(b);
    const acts = el("div", "sp-acts");
    if (pending.has(m.id)) acts.appendChild(action(t("ack"), "ack", m, "sp-ack"));
    const c = confirmations[m.id];
    if (c) acts.appendChild(el("span", "sp-confirmed", `${t("confirmed")} ${c.acknowledged}/${c.total}`));
    if (!retracted.has(m.id)) {
      if (m.sender === me || space.court) acts.appendChild(action(t("retract"), "retract", m));
      if (space.court) {
        acts.appendChild(action(t("pin"), "pin", m));
        acts.appendChild(action(t("remind"), "reminder", m));
      }
    }
    if (acts.childNodes.length) li.appendChild(acts);
    return li;
  }

  function action(label, verb, m, cls) {
    const btn = el("button", cls || "", label);
    btn.type = "button";
    btn.addEventListener("click", async () => {
      const r = await fetch(`${api}/messages/${m.id}/${verb}`, { method: "POST", headers, credentials: "same-origin" });
      if (!r.ok) return toast(r);
      if (verb === "ack") { pending.delete(m.id); render(); }
    });
    return btn;
  }

  // Read marks of the others, per thread: "已读 N" under one's own messages.
  const seen = new Map();
  function markSeen(r) {
    if (!seen.has(r.thread)) seen.set(r.thread, new Map());
    const byUser = seen.get(r.thread);
    if ((byUser.get(r.user) || 0) < r.seq) byUser.set(r.user, r.seq);
  }
  function readers(m) {
    let n = 0;
    for (const [user, seq] of seen.get(m.thread) || []) if (user !== me && seq >= m.seq) n += 1;
    return n;
  }
  (space.reads || []).forEach(markSeen);
  // For the court: per key message, how many addressees have confirmed it.
  const confirmations = space.reminders || {};

  function render() {
    const seqs = [...messages.keys()].sort((a, b) => a - b);
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    list.replaceChildren(...seqs.map((s) => messages.get(s)).filter((m) => m.thread_kind === tab).map(bubble));
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  let readTimer = null;
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (document.hidden || !ws || ws.readyState !== 1) return;
      const latest = new Map();
      for (const m of messages.values()) if ((latest.get(m.thread) || 0) < m.seq) latest.set(m.thread, m.seq);
      for (const [thread, seq] of latest) {
        const th = space.threads.find((x) => x.id === thread);
        if (th && th.last_read_seq >= seq) continue;
        if (th) th.last_read_seq = seq; else space.threads.push({ id: thread, last_read_seq: seq });
        ws.send(JSON.stringify({ type: "read", thread, seq }));
      }
    }, 400);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}/ws/cases/${caseId}/space/?after=${resumeFrom()}`);
    ws.onopen = () => { retry = 500; statusEl.hidden = true; markRead(); };
    ws.onmessage = (e) => {
      const data = JSON.parse(e.data);
      if (data.type === "message") add(data);
      else if (data.type === "reminder") { pending.add(data.message); render(); }
      else if (data.type === "read") { markSeen(data); render(); }
      else if (data.type === "ack") { confirmations[data.message] = { total: data.total, acknowledged: data.acknowledged }; render(); }
      else if (data.type === "pin") addPin(data);
      else if (data.type === "unpin") document.querySelectorAll(`.sp-pin[data-message="${data.message}"]`).forEach((n) => n.remove());
    };
    ws.onclose = (e) => {
      if (e.code === 4404 || e.code === 4401) {
        // 4401: signed out or the session expired; 4404: no longer in this case's space.
        // Reconnecting cannot help: stop and say why.
        root.dataset.wsClosed = String(e.code);
        statusEl.textContent = t(e.code === 4401 ? "expired" : "gone");
        statusEl.hidden = false;
        return;
      }
      statusEl.textContent = t("offline");
      statusEl.hidden = false;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  function addPin(p) {
    const pins = document.getElementById("sp-pins");
    const n = el("p", "sp-pin", t("pin") + "｜" + (p.text || "#" + p.seq));
    n.dataset.message = p.message;
    pins.prepend(n);
  }

  async function toast(response) {
    let msg = response.statusText;
    try {
      const body = await response.json();
      msg = body.error.message + " " + Object.values(body.error.fields || {}).join(" ");
    } catch (e) { /* not JSON */ }
    statusEl.textContent = msg;
    statusEl.hidden = false;
    setTimeout(() => { statusEl.hidden = true; }, 4000);
  }

  async function send(fields) {
    const body = new FormData();
    body.append("thread", tab);
    if (tab === "court" && partyEl) body.append("party", partyEl.value);
    for (const [k, v] of Object.entries(fields)) {
      if (v.length > 1) body.append(k, v[0], v[1]);
      else body.append(k, v[0]);
    }
    const r = await fetch(`${api}/messages`, { method: "POST", body, headers, credentials: "same-origin" });
    if (!r.ok) return toast(r) && false;
    add(await r.json());
    return true;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = textEl.value.trim();
    if (!text) return;
    if (await send({ text: [text] })) textEl.value = "";
  });
  textEl.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  fileEl.addEventListener("change", async () => {
    const f = fileEl.files[0];
    if (f) await send({ file: [f, f.name] });
    fileEl.value = "";
  });

  // Voice: press to record, press again to send. The timer shows it is recording.
  let recorder = null, chunks = [], started = 0, tick = null;
  recBtn.addEventListener("click", async () => {
    if (recorder) { recorder.stop(); return; }
    let stream;
    try { stream = await navigator.mediaDevices.getUserMedia({ audio: true }); }
    catch (e) { statusEl.textContent = t("nomic"); statusEl.hidden = false; return; }
    const type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"]
      .find((x) => window.MediaRecorder && MediaRecorder.isTypeSupported(x)) || "";
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    chunks = [];
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    recorder.onstop = async () => {
      stream.getTracks().forEach((tr) => tr.stop());
      clearInterval(tick);
      recInd.hidden = true;
      recBtn.setAttribute("aria-pressed", "false");
      const mime = recorder.mimeType || "audio/webm";
      recorder = null;
      const blob = new Blob(chunks, { type: mime });
      const ext = mime.includes("ogg") ? "ogg" : mime.includes("mp4") ? "m4a" : "webm";
      if (blob.size) await send({ file: [blob, `${t("voice")}.${ext}`] });
    };
    recorder.start(250);
    started = Date.now();
    recBtn.setAttribute("aria-pressed", "true");
    recInd.hidden = false;
    recTime.textContent = "0:00";
    tick = setInterval(() => {
      const s = Math.floor((Date.now() - started) / 1000);
      recTime.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    }, 250);
  });

  document.querySelectorAll(".sp-tab").forEach((b) => b.addEventListener("click", () => {
    tab = b.dataset.tab;
    document.querySelectorAll(".sp-tab").forEach((x) => {
      x.classList.toggle("is-on", x === b);
      x.setAttribute("aria-selected", String(x === b));
    });
    if (partyEl) partyEl.hidden = tab !== "court";
    render();
    list.scrollTop = list.scrollHeight;
  }));
  document.addEventListener("visibilitychange", markRead);

  window.mcSpace = { messages }; // for tests and debugging
  connect();
})();
