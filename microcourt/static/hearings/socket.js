/* The session's socket (ws/hearings/<id>/): the state on connect, then live events with the
   session's version. A gap in versions, or a socket that will not come back, reads the state
   again from the API, so a page never trusts a stale copy. Shared by the waiting room and
   the courtroom. */
(function () {
  "use strict";
  const csrfMatch = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
  const CSRF = csrfMatch ? csrfMatch[1] : "";

  function api(path, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
    if (opts.method && opts.method !== "GET") {
      opts.headers["X-CSRFToken"] = CSRF;
      if (opts.body && typeof opts.body !== "string") {
        opts.headers["Content-Type"] = "application/json";
        opts.body = JSON.stringify(opts.body);
      }
    }
    return fetch("/api/v1" + path, opts).then(async (r) => {
      let data = null;
      try { data = await r.json(); } catch (e) { data = null; }
      if (!r.ok) {
        const err = new Error((data && data.error && data.error.message) || r.statusText);
        err.status = r.status;
        err.data = data;
        throw err;
      }
      return data;
    });
  }

  function HearingSocket(sessionId, handlers) {
    this.id = sessionId;
    this.h = handlers;
    this.version = 0;
    this.ws = null;
    this.retry = 500;
    this.closed = false;
    this.poller = null;
    this.pinger = null;
    this.connect();
  }

  HearingSocket.prototype.connect = function () {
    if (this.closed) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    let ws;
    try {
      // ?seat= on the page (the physical courtroom's camera, run from the clerk's account)
      // picks the same seat for the socket.
      const seat = new URLSearchParams(location.search).get("seat");
      const query = seat && /^\d+$/.test(seat) ? `?seat=${seat}` : "";
      ws = new WebSocket(`${proto}//${location.host}/ws/hearings/${this.id}/${query}`);
    } catch (e) {
      this.down();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 500;
      this.stopPolling();
      if (!this.pinger) this.pinger = setInterval(() => this.send({ action: "ping" }), 20000);
      if (this.h.onConnection) this.h.onConnection(true);
    };
    ws.onmessage = (m) => {
      let data;
      try { data = JSON.parse(m.data); } catch (e) { return; }
      this.receive(data);
    };
    ws.onclose = (e) => {
      this.ws = null;
      if (this.closed) return;
      if (this.h.onConnection) this.h.onConnection(false, e.code);
      // 4401 signed out, 4404 not (or no longer) in the session, 4409 this seat opened
      // another socket (another tab or device): no point retrying on our own.
      if (e.code === 4401 || e.code === 4403 || e.code === 4404 || e.code === 4409) {
        if (this.h.onGone) this.h.onGone(e.code);
        return;
      }
      this.down();
    };
  };

  HearingSocket.prototype.down = function () {
    this.startPolling();
    const wait = this.retry;
    this.retry = Math.min(this.retry * 2, 15000);
    setTimeout(() => this.connect(), wait);
  };

  HearingSocket.prototype.receive = function (data) {
    if (!data || typeof data !== "object") return;
    if (data.event === "state") {
      if (typeof data.version === "number") this.version = data.version;
      if (this.h.onState) this.h.onState(data);
      return;
    }
    if (typeof data.version === "number") {
      if (this.version && data.version > this.version + 1) {
        // Missed something: take the whole state again (the event is applied meanwhile).
        if (!this.send({ action: "resync" })) this.reload();
      }
      if (data.version > this.version) this.version = data.version;
    }
    if (this.h.onEvent) this.h.onEvent(data);
  };

  HearingSocket.prototype.reload = function () {
    return api(`/sessions/${this.id}`).then((s) => {
      this.version = s.version;
      if (this.h.onState) this.h.onState(Object.assign({ event: "state" }, s));
      return s;
    }).catch((err) => {
      if (err.status === 404 && this.h.onGone) this.h.onGone(404);
    });
  };

  HearingSocket.prototype.startPolling = function () {
    if (this.poller || this.closed) return;
    this.reload();
    this.poller = setInterval(() => this.reload(), 5000);
  };

  HearingSocket.prototype.stopPolling = function () {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  };

  HearingSocket.prototype.send = function (obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  };

  HearingSocket.prototype.close = function (code) {
    this.closed = true;
    this.stopPolling();
    if (this.pinger) clearInterval(this.pinger);
    if (this.ws) this.ws.close(code || 1000);
  };

  window.HearingSocket = HearingSocket;
  window.hearingApi = api;
})();
