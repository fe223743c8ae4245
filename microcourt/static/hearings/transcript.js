/* 庭审笔录 pane (issue 17). The lines come two ways, through one door (merge(): by line id,
   a copy replacing the one shown only when its updated_at is later, so a line heard twice is
   shown once): the courtroom socket's transcript.line / transcript.edit events, which
   courtroom.js re-emits as a "hearing:event" DOM event (one socket per seat: a second would
   replace the first), and a light catch-up that reads only the lines written or edited since
   the last look (GET …/transcript/lines?after=<cursor>) every few seconds while the page is
   visible, slower while nothing changes, and no more once the session is closed and quiet
   for about a minute.
   The catch-up is what shows the worker's lines where the socket cannot carry them (no Redis:
   the in-memory channel layer stays inside the web process); the live page ("poll" mode) has
   no socket and relies on it alone. The court's people edit a line in place (PATCH
   …/transcript/lines/<id>); each edit is a new version, the engine's text staying as the first
   (shown under 历史版本); a line arriving while it is edited waits until the edit is done. */
(function () {
  "use strict";
  const pane = document.getElementById("tr-pane");
  if (!pane) return;
  const list = document.getElementById("tr-lines");
  const msg = document.getElementById("tr-msg");
  const off = document.getElementById("tr-off");
  const session = pane.dataset.session;
  const editable = pane.dataset.editable === "1";
  const t = (k) => pane.dataset["t" + k.charAt(0).toUpperCase() + k.slice(1)] || k;
  const csrfMatch = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
  const CSRF = csrfMatch ? csrfMatch[1] : (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
  let mayEdit = editable;
  const lines = new Map();

  function api(path, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {});
    if (opts.method && opts.method !== "GET") {
      opts.headers["X-CSRFToken"] = CSRF;
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.body || {});
    }
    return fetch("/api/v1" + path, opts).then(async (r) => {
      let data = null;
      try { data = await r.json(); } catch (e) { data = null; }
      if (!r.ok) {
        const err = new Error((data && data.error && data.error.message) || r.statusText);
        err.status = r.status;
        throw err;
      }
      return data;
    });
  }

  function say(text, error) {
    if (!msg) return;
    msg.textContent = text;
    msg.classList.toggle("is-error", !!error);
    msg.hidden = !text;
  }

  function clock(iso) {
    const d = new Date(iso);
    return d.toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
  }

  function textOf(line) {
    return line.gap ? "【" + line.gap_label + "】" : line.text;
  }

  function render(line) {
    let li = list.querySelector('li[data-id="' + line.id + '"]');
    const editing = li && li.classList.contains("is-editing");
    lines.set(line.id, line);
    if (!li) {
      li = document.createElement("li");
      li.className = "tr-line";
      li.dataset.id = line.id;
      li.dataset.start = line.started_at;
      // In time order: a late line (a retried utterance) goes where it was spoken.
      const after = Array.from(list.children).find((x) => x.dataset.start > line.started_at);
      list.insertBefore(li, after || null);
    }
    li.classList.toggle("is-gap", !!line.gap);
    if (editing) {  // do not pull the text from under the clerk's cursor
      li.dataset.pending = "1";
      return li;
    }
    li.replaceChildren();
    const time = document.createElement("span");
    time.className = "tr-time";
    time.textContent = clock(line.started_at);
    const who = document.createElement("b");
    who.className = "tr-speaker";
    who.textContent = line.speaker;
    const text = document.createElement("span");
    text.className = "tr-text";
    text.textContent = textOf(line);
    li.append(time, " ", who, "：", text);
    if (line.edited) {
      const mark = document.createElement("span");
      mark.className = "tr-edited";
      mark.textContent = t("edited");
      li.append(" ", mark);
    }
    if (mayEdit) {
      const actions = document.createElement("span");
      actions.className = "tr-actions";
      const edit = document.createElement("button");
      edit.type = "button";
      edit.className = "tr-edit";
      edit.textContent = t("edit");
      edit.setAttribute("aria-label", t("edit") + " " + line.speaker + " " + clock(line.started_at));
      edit.addEventListener("click", () => startEdit(li, line.id));
      const hist = document.createElement("button");
      hist.type = "button";
      hist.className = "tr-hist";
      hist.textContent = t("versions");
      hist.setAttribute("aria-expanded", "false");
      hist.addEventListener("click", () => versions(li, line.id, hist));
      actions.append(edit, hist);
      li.append(actions);
    }
    return li;
  }

  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  }

  function add(line) {
    const stick = atBottom();
    render(line);
    if (stick) list.scrollTop = list.scrollHeight;
  }

  // The one way in for a line, from the socket or the catch-up: true if it changed the pane.
  function merge(line) {
    const had = lines.get(line.id);
    if (had && had.updated_at && line.updated_at && Date.parse(line.updated_at) <= Date.parse(had.updated_at)) {
      return false;
    }
    add(line);
    return true;
  }

  function startEdit(li, id) {
    const line = lines.get(id);
    li.classList.add("is-editing");
    li.querySelectorAll(".tr-actions, .tr-versions").forEach((x) => x.remove());
    const form = document.createElement("form");
    form.className = "tr-form";
    const area = document.createElement("textarea");
    area.value = line.text;
    area.maxLength = 20000;
    area.setAttribute("aria-label", t("label") + "：" + line.speaker);
    const row = document.createElement("div");
    row.className = "tr-row";
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "is-primary tr-save";
    save.textContent = t("save");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "tr-cancel";
    cancel.textContent = t("cancel");
    row.append(save, cancel);
    form.append(area, row);
    li.append(form);
    area.focus();
    const done = (fresh) => {
      li.classList.remove("is-editing");
      delete li.dataset.pending;
      render(fresh || lines.get(id));
    };
    cancel.addEventListener("click", () => done());
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      save.disabled = true;
      api("/sessions/" + session + "/transcript/lines/" + id, { method: "PATCH", body: { text: area.value } })
        .then((fresh) => { say(t("saved")); done(fresh); })
        .catch((err) => {
          save.disabled = false;
          say(err.message, true);
          if (err.status === 409) { mayEdit = false; done(); }
        });
    });
  }

  function versions(li, id, button) {
    const open = li.querySelector(".tr-versions");
    if (open) { open.remove(); button.setAttribute("aria-expanded", "false"); return; }
    api("/sessions/" + session + "/transcript/lines/" + id + "/versions").then((items) => {
      const ol = document.createElement("ol");
      ol.className = "tr-versions";
      for (const v of items) {
        const item = document.createElement("li");
        item.textContent = "v" + v.number + " · " + v.by + " · " + clock(v.at) + "：" + v.text;
        ol.append(item);
      }
      li.append(ol);
      button.setAttribute("aria-expanded", "true");
    }).catch((err) => say(err.message, true));
  }

  // The catch-up: every FAST ms after a change, backing off to SLOW while nothing changes.
  const FAST = 2000;
  const SLOW = 10000;
  const socketMode = pane.dataset.mode === "socket";
  let cursor = null;  // the last answer's: only what changed since (null: everything)
  let delay = FAST;
  let timer = null;
  let stopped = false;
  const QUIET_LOOKS = 6;
  let quietAfterClose = 0;

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!stopped && !document.hidden) timer = setTimeout(poll, delay);
  }

  function poll() {
    clearTimeout(timer);
    timer = null;
    const query = new URLSearchParams();
    if (pane.dataset.case) query.set("case_id", pane.dataset.case);
    if (cursor !== null) query.set("after", cursor);
    const q = query.toString();
    return api("/sessions/" + session + "/transcript/lines" + (q ? "?" + q : "")).then((data) => {
      pane.hidden = false;
      if (off) off.hidden = true;
      const may = editable && data.may_edit;
      if (may !== mayEdit) { mayEdit = may; lines.forEach((l) => render(l)); }
      let changed = 0;
      for (const line of data.lines) if (merge(line)) changed += 1;
      cursor = data.cursor;
      delay = changed ? FAST : Math.min(SLOW, Math.round(delay * 1.5));
      // Closed (or cancelled): the worker still reads the recordings to their end, so look a
      // few more times (about a minute at the slow pace) before giving up.
      const over = data.session_status === "closed" || data.session_status === "cancelled";
      quietAfterClose = over && !changed ? quietAfterClose + 1 : 0;
      stopped = quietAfterClose >= QUIET_LOOKS;
      schedule();
    }).catch((err) => {
      if (err.status === 403) {
        // Not (or no longer) allowed live: read everything again once allowed. In the
        // courtroom the judge's switch arrives on the socket (transcript.live) and restarts.
        cursor = null;
        if (off) { off.hidden = false; pane.hidden = socketMode && !editable; }
        if (socketMode) stopped = true;
      } else if (err.status === 404) {
        stopped = true;
      }
      delay = Math.min(SLOW, delay * 2);
      schedule();
    });
  }

  function load() {  // everything again, now
    cursor = null;
    stopped = false;
    quietAfterClose = 0;
    delay = FAST;
    return poll();
  }

  function onEvent(e) {
    if (!e || !e.event) return;
    if (e.event === "transcript.line" || e.event === "transcript.edit") {
      pane.hidden = false;
      if (off) off.hidden = true;
      merge(e.line);
    } else if (e.event === "transcript.live" && !editable) {
      if (e.visible) load();
      else { pane.hidden = true; list.replaceChildren(); lines.clear(); cursor = null; }
    } else if (e.event === "transcript.record" && e.status !== "drafting") {
      if (mayEdit) { mayEdit = false; say(t("locked")); lines.forEach((l) => render(l)); }
    } else if (e.event === "status" && e.status === "closed" && !editable) {
      load();
    } else if (e.event === "status" && stopped && (e.status === "open" || e.status === "recess")) {
      stopped = false;  // resumed: lines come again
      quietAfterClose = 0;
      delay = FAST;
      schedule();
    }
  }

  // Hidden tab: no requests; back in view: look at once.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) { clearTimeout(timer); timer = null; }
    else if (!stopped) { delay = FAST; poll(); }
  });

  document.addEventListener("hearing:event", (ev) => onEvent(ev.detail));
  window.__transcript = { add, merge, lines, onEvent, poll };
  load();
})();
