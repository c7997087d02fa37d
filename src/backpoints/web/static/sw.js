// backpoints service worker: keeps the app shell and visited pages so the app opens offline.
// Pages: network first, then the cached copy, then the offline guide. Static files: cache first.
// On a server (accounts) it never keeps a private answer (one sent with Cache-Control: no-store),
// and it empties its cache when the person logs out. A referral page drops the guidance pages.
"use strict";

const VERSION = "__VERSION__";
const CACHE = `backpoints-${VERSION}`;
const SHELL = __SHELL__;
const SERVER_MODE = __SERVER_MODE__;

function mayKeep(request, response) {
  if (!response.ok || request.method !== "GET") return false;
  const control = response.headers.get("Cache-Control") || "";
  return !(SERVER_MODE && /no-store/i.test(control));
}

async function forgetEverything() {
  const keys = await caches.keys();
  await Promise.all(keys.map((k) => caches.delete(k)));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Pages that guide a massage. A referral (a red flag now stands) drops every copy kept, so
// none of them opens offline while the flag stands; the referral itself is kept in its place.
const GUIDANCE = ["/sessions/", "/runs/", "/scan"];

async function forgetGuidance(cache) {
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (GUIDANCE.some((prefix) => path.startsWith(prefix))) await cache.delete(request);
  }
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.headers.get("X-Backpoints-Referral")) await forgetGuidance(cache);
    if (mayKeep(request, response)) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request, { ignoreSearch: request.mode !== "navigate" });
    if (cached) return cached;
    if (request.mode === "navigate") return (await cache.match("/offline")) || Response.error();
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (mayKeep(request, response)) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin === self.location.origin && url.pathname === "/logout") {
    event.waitUntil(forgetEverything()); // the request itself goes on to the network
    return;
  }
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(event.request));
  } else {
    event.respondWith(networkFirst(event.request));
  }
});
