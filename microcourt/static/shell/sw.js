// microcourt service worker: the shell's static files work offline; pages always come
// from the network (case data must never be served stale from a cache).
// The view that serves this file (shell.service_worker) fills in the files' hashed names
// and a cache name that changes with them, so a new release replaces the old cache.
const CACHE = "microcourt-shell-__VERSION__";
const PRECACHE = __PRECACHE__;
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
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
