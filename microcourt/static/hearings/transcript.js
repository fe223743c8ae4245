/* 庭审笔录 pane (issue 17). In the courtroom ("socket" mode) the lines arrive as the
   courtroom socket's transcript.line / transcript.edit events, which courtroom.js re-emits
   as a "hearing:event" DOM event (one socket per seat: a second would replace the first);
   on the live page ("poll" mode) they are read from the API every few seconds. The court's
   people edit a line in place (PATCH …/transcript/lines/<id>); each edit is a new version,
   the engine's text staying as the first (shown under 历史版本). */
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

  function load() {
    const caseId = pane.dataset.case;
    const query = caseId ? "?case_id=" + caseId : "";
    return api("/sessions/" + session + "/transcript/lines" + query).then((data) => {
      pane.hidden = false;
      if (off) off.hidden = true;
      mayEdit = editable && data.may_edit;
      for (const line of data.lines) add(line);
    }).catch((err) => {
      if (err.status === 403 && off) { off.hidden = false; pane.hidden = pane.dataset.mode === "socket" && !editable; }
    });
  }

  function onEvent(e) {
    if (!e || !e.event) return;
    if (e.event === "transcript.line" || e.event === "transcript.edit") {
      pane.hidden = false;
      if (off) off.hidden = true;
      add(e.line);
    } else if (e.event === "transcript.live" && !editable) {
      if (e.visible) load();
      else { pane.hidden = true; list.replaceChildren(); lines.clear(); }
    } else if (e.event === "transcript.record" && e.status !== "drafting") {
      if (mayEdit) { mayEdit = false; say(t("locked")); lines.forEach((l) => render(l)); }
    } else if (e.event === "status" && e.status === "closed" && !editable) {
      load();
    }
  }

  document.addEventListener("hearing:event", (ev) => onEvent(ev.detail));
  window.__transcript = { add, lines, onEvent };
  load();
  if (pane.dataset.mode === "poll") setInterval(load, 4000);
})();
