// microcourt service worker: the shell's static files work offline; pages always come
// from the network (case data must never be served stale from a cache).
const CACHE = "microcourt-shell-v1";
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([
    "/static/vendor/weui/weui-subset.css", "/static/shell/app.css", "/static/shell/app.js",
    "/static/vendor/htmx/htmx.min.js", "/static/shell/icon-192.png",
  ])).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
  }
});
