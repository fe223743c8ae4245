// microcourt shell: live notifications over the per-user websocket.
(function () {
  "use strict";
  var path = document.body.getAttribute("data-ws");
  if (!path || !("WebSocket" in window)) return;
  var delay = 1000;
  function toast(text) {
    var el = document.getElementById("mc-toast");
    if (!el) return;
    el.textContent = text; el.hidden = false;
    clearTimeout(el._t); el._t = setTimeout(function () { el.hidden = true; }, 5000);
  }
  function notice(text) {  // stays until the person acts on it (log in again, reload)
    var el = document.getElementById("mc-toast");
    if (!el) return;
    clearTimeout(el._t); el.textContent = text; el.hidden = false;
  }
  function badge(n) {
    var el = document.getElementById("mc-unread");
    if (!el) return;
    el.textContent = n; el.hidden = !n;
  }
  function prepend(msg) {
    var list = document.getElementById("mc-inbox");
    if (!list) return;
    var empty = document.getElementById("mc-inbox-empty");
    if (empty) empty.remove();
    var cell = document.createElement("div");
    cell.className = "weui-cell mc-note mc-unread"; cell.id = "n-" + msg.id;
    var bd = document.createElement("div"); bd.className = "weui-cell__bd";
    var t = document.createElement("p"); t.className = "mc-note-title"; t.textContent = msg.title;
    var b = document.createElement("p"); b.className = "mc-sub"; b.textContent = msg.body;
    bd.appendChild(t); bd.appendChild(b); cell.appendChild(bd); list.prepend(cell);
  }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + path);
    ws.onopen = function () { delay = 1000; document.body.setAttribute("data-ws-state", "open"); };
    ws.onmessage = function (e) {
      var msg = JSON.parse(e.data);
      if (msg.type !== "notification") return;
      badge(msg.unread); prepend(msg); toast(msg.title);
    };
    ws.onclose = function (e) {
      document.body.setAttribute("data-ws-state", "closed");
      // 4401: signed out or the session expired; 4404: not this person's. Trying again
      // cannot help: stop, and say why (the server accepts and then closes, so the code
      // arrives; a network failure is 1006 and is retried with backoff).
      if (e.code === 4401 || e.code === 4404) {
        document.body.setAttribute("data-ws-state", "refused-" + e.code);
        var why = document.body.getAttribute(e.code === 4401 ? "data-ws-t-expired" : "data-ws-t-gone");
        if (why) notice(why);
        return;
      }
      setTimeout(connect, delay); delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () {});
})();

// Uploads with a progress bar: a form marked data-progress is sent through XHR so its
// <progress class="mc-upload-progress"> moves; the server's answer (the page it redirected to,
// with its one-time message, or this page with the error) is shown as it came.
(function () {
  "use strict";
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var bar = form.querySelector(".mc-upload-progress");
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      // form.getAttribute, not form.action: an <input name="action"> in the form (the wizard's
      // step buttons) shadows the property, and the XHR went to "[object HTMLInputElement]".
      xhr.open("POST", form.getAttribute("action") || location.href);
      xhr.upload.onprogress = function (e) {
        if (bar && e.lengthComputable) { bar.hidden = false; bar.value = Math.round((e.loaded / e.total) * 100); }
      };
      xhr.onload = function () {
        var target = xhr.responseURL || location.href;
        document.open(); document.write(xhr.responseText); document.close();
        if (target !== location.href) { history.replaceState(null, "", target); }
      };
      xhr.onerror = function () { if (button) button.disabled = false; form.submit(); };
      if (button) button.disabled = true;
      if (bar) { bar.hidden = false; bar.value = 0; }
      // The pressed button's name and value travel too, as a plain submit would send them.
      var data = new FormData(form);
      var submitter = event.submitter;
      if (submitter && submitter.name && !data.has(submitter.name)) data.append(submitter.name, submitter.value);
      xhr.send(data);
    });
  });
})();

// Busy buttons: a submit button marked data-busy-text is disabled and shows WeUI's spinner and
// that text while its form is sent (a page load or an htmx request), and a status line beside
// it says the same to screen readers. Back to itself when htmx has the answer, or when the page
// comes back from the back-forward cache.
(function () {
  "use strict";
  function status(button) {  // a live region must exist before it speaks: made up front
    var next = button.nextElementSibling;
    if (next && next.hasAttribute("data-busy-status")) return next;
    var el = document.createElement("span");
    el.className = "mc-visually-hidden"; el.setAttribute("role", "status");
    el.setAttribute("data-busy-status", "");
    button.insertAdjacentElement("afterend", el);
    return el;
  }
  function busy(button) {
    if (button.hasAttribute("data-busy")) return;
    button.setAttribute("data-busy", "");
    button._mcIdle = button.innerHTML;
    button.disabled = true; button.classList.add("weui-btn_loading");
    var spin = document.createElement("i"); spin.className = "weui-loading"; spin.setAttribute("aria-hidden", "true");
    button.textContent = button.getAttribute("data-busy-text"); button.prepend(spin);
    status(button).textContent = button.getAttribute("data-busy-text");
  }
  function idle(button) {
    if (!button.hasAttribute("data-busy")) return;
    button.removeAttribute("data-busy");
    button.innerHTML = button._mcIdle; button.disabled = false; button.classList.remove("weui-btn_loading");
    status(button).textContent = "";
  }
  document.querySelectorAll("button[data-busy-text]").forEach(status);
  document.addEventListener("submit", function (event) {
    var form = event.target, by = event.submitter;
    var button = by && by.hasAttribute("data-busy-text") ? by : form.querySelector("button[data-busy-text]");
    if (!button) return;
    // After the browser (or htmx) has read the form: a disabled button's value is not sent.
    setTimeout(function () { busy(button); }, 0);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest ? event.target.closest("form") || event.target : event.target;
    form.querySelectorAll("button[data-busy]").forEach(idle);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("button[data-busy]").forEach(idle);
  });
})();

// Downloads built on request (a case space's PDF): <a data-download-busy="…"> shows that the
// file is being made until it arrives. The link carries a one-off token; the server answers
// the file with a cookie naming it (core/downloads.py), which is how the page learns the
// download has started. A refusal navigates away, which ends this page's notice anyway.
(function () {
  "use strict";
  var COOKIE = "mc_dl";
  function arrived(token) {
    return document.cookie.split(";").some(function (c) { return c.trim() === COOKIE + "=" + token; });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-download-busy]") : null;
    if (!link || link.hasAttribute("data-busy")) return;
    var token = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
    var url = new URL(link.href, location.href);
    url.searchParams.set("dl", token);
    link.href = url.toString();
    link.setAttribute("data-busy", ""); link.setAttribute("aria-busy", "true");
    var toast = document.getElementById("mc-toast");
    if (toast) {
      clearTimeout(toast._t);
      toast.innerHTML = "";
      var spin = document.createElement("i"); spin.className = "weui-loading"; spin.setAttribute("aria-hidden", "true");
      toast.append(spin, " ", link.getAttribute("data-download-busy")); toast.hidden = false;
    }
    var started = Date.now();
    var timer = setInterval(function () {
      if (!arrived(token) && Date.now() - started < 300000) return;
      clearInterval(timer);
      document.cookie = COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax";
      link.removeAttribute("data-busy"); link.removeAttribute("aria-busy");
      if (toast) toast.hidden = true;
    }, 400);
  });
})();
