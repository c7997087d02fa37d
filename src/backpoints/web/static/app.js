// backpoints: the little JavaScript the pages need. Everything works without it (forms post
// to the server); with it the map is tappable, the timer counts down and speaks its cues.
"use strict";

(function () {
  // The texts this script writes, in the page's language (see js_texts in web/app.py).
  const TEXTS = JSON.parse((document.getElementById("i18n-js") || {}).textContent || "{}");
  const t = (text) => TEXTS[text] || text;
  // The language choice applies as soon as it changes (the button does it without JS).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  const speed = Number(document.body.dataset.countdownSpeed || "1") || 1;

  // ---- Pain map: regions are buttons that reveal and set their 0-10 scale ------------------
  function painFill(level) {
    if (!level) return "transparent";
    const t = Math.max(0, Math.min(10, level)) / 10;
    return `rgb(${250 - Math.round(60 * t)},${220 - Math.round(190 * t)},${120 - Math.round(90 * t)})`;
  }

  function setupPainMap() {
    const form = document.getElementById("pain-form");
    if (!form) return;
    const rows = new Map();
    form.querySelectorAll("[data-region-row]").forEach((row) => rows.set(row.dataset.regionRow, row));
    const hint = document.getElementById("empty-hint");
    const ends = document.getElementById("pain-ends");

    const checked = (row) => row.querySelector("input:checked");
    const level = (row) => Number((checked(row) || { value: "0" }).value);
    function choose(row, value) {
      const radio = row.querySelector(`input[value="${value}"]`);
      radio.checked = true;
      return radio;
    }

    function sync(regionId) {
      const row = rows.get(regionId);
      const shape = form.querySelector(`.region[data-region="${regionId}"]`);
      if (shape) {
        shape.setAttribute("aria-pressed", level(row) > 0 ? "true" : "false");
        shape.querySelector("path").setAttribute("fill", painFill(level(row)));
      }
    }

    function refreshHint() {
      const any = [...rows.values()].some((row) => !row.hidden);
      hint.hidden = any;
      if (ends) ends.hidden = !any;
    }

    rows.forEach((row, regionId) => {
      row.hidden = level(row) === 0;
      row.addEventListener("change", () => sync(regionId));
      sync(regionId);
    });
    refreshHint();

    function toggle(shape) {
      const regionId = shape.dataset.region;
      const row = rows.get(regionId);
      if (row.hidden) {
        row.hidden = false;
        const radio = level(row) === 0 ? choose(row, 5) : checked(row);
        sync(regionId);
        radio.focus(); // brings the scale into view: its level is set there
      } else {
        choose(row, 0);
        row.hidden = true;
        sync(regionId);
      }
      refreshHint();
    }

    form.querySelectorAll(".region[role=button]").forEach((shape) => {
      shape.addEventListener("click", () => toggle(shape));
      shape.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          toggle(shape);
        }
      });
    });
  }

  // ---- Sound, voice, vibration, screen awake ----------------------------------------------
  const SPEECH_KEY = "backpoints.speech";
  let audio = null;

  function speak(text) {
    const toggle = document.getElementById("speech-toggle");
    if (!toggle || !toggle.checked || !("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    // the page's language picks the voice: one for that language when the browser has one
    const lang = (document.documentElement.lang || "en").toLowerCase();
    utterance.lang = { en: "en-GB", es: "es-ES", hi: "hi-IN", zh: "zh-CN" }[lang] || lang;
    const voice = window.speechSynthesis
      .getVoices()
      .find((v) => v.lang.toLowerCase().replace("_", "-").startsWith(lang));
    if (voice) utterance.voice = voice;
    window.speechSynthesis.speak(utterance);
  }

  function tone(freqs) {
    // a soft bell: one note at the start, two rising notes at the end
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      freqs.forEach((freq, i) => {
        const at = audio.currentTime + i * 0.35;
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + 1.3);
      });
    } catch (err) {
      // sound is a nicety; the screen shows the same
    }
  }

  function buzz(pattern) {
    if (navigator.vibrate) navigator.vibrate(pattern);
  }

  const awake = {
    lock: null,
    async hold() {
      try {
        if ("wakeLock" in navigator && !this.lock) {
          this.lock = await navigator.wakeLock.request("screen");
          this.lock.addEventListener("release", () => { this.lock = null; });
        }
      } catch (err) {
        this.lock = null; // not allowed here (battery saver, no focus): the timer still runs
      }
    },
    release() {
      if (this.lock) this.lock.release().catch(() => {});
      this.lock = null;
    },
  };

  // ---- The player: countdown ring, cues, then the rating in its place ----------------------
  function setupTimer() {
    const timer = document.getElementById("timer");
    if (!timer) return;
    const duration = Number(timer.dataset.duration);
    const lead = Number(timer.dataset.leadIn || "0");
    const total = lead + duration;
    const cues = JSON.parse(document.getElementById("cues").textContent || "[]");
    const ring = timer.querySelector(".progress");
    const circumference = 2 * Math.PI * 52;
    const ringText = document.getElementById("ring-text");
    const timeLeft = document.getElementById("time-left");
    const cueText = document.getElementById("cue-text");
    const status = document.getElementById("timer-status");
    const startBtn = document.getElementById("start-btn");
    const pauseBtn = document.getElementById("pause-btn");
    const rateNow = document.getElementById("rate-now");
    const rate = document.getElementById("rate");
    const speech = document.getElementById("speech-toggle");
    speech.checked = localStorage.getItem(SPEECH_KEY) !== "off"; // on unless turned off here
    speech.addEventListener("change", () => localStorage.setItem(SPEECH_KEY, speech.checked ? "on" : "off"));
    const hasError = rate && rate.querySelector("[role=alert]");
    if (rate && rate.tagName === "SECTION" && !hasError) {
      rate.hidden = true;
      rateNow.hidden = false;
    }

    let elapsed = 0; // seconds since Start, the get-ready lead-in included
    let running = false;
    let started = false; // the massage itself (after the lead-in) has begun
    let lastTick = 0;
    let nextCue = 0;
    let handle = null;
    let lastAnnounced = null;

    function render() {
      const inLead = elapsed < lead;
      const left = Math.max(0, Math.min(duration, Math.ceil(total - elapsed)));
      const shown = inLead ? Math.ceil(lead - elapsed) : left;
      ringText.textContent = String(shown);
      const share = inLead ? 1 : left / duration;
      ring.setAttribute("stroke-dashoffset", String(circumference * (1 - share)));
      timeLeft.textContent = (inLead ? t("Get ready: the tone starts the massage in %(num)d s") : t("%(num)d seconds left"))
        .replace("%(num)d", inLead ? shown : left);
      const bucket = Math.ceil(left / 10);
      if (running && !inLead && bucket !== lastAnnounced && left % 10 === 0) {
        lastAnnounced = bucket;
        status.textContent = t("%(num)d seconds left").replace("%(num)d", left);
      }
      if (running && !inLead && !started) {
        started = true;
        tone([660]);
        buzz(80);
      }
    }

    const breath = document.getElementById("breath");
    const breathToggle = document.getElementById("breath-toggle");
    const breathPace = document.getElementById("breath-pace");
    if (breathToggle) {
      breathToggle.checked = localStorage.getItem("backpoints.breath") === "on";
      breathPace.value = localStorage.getItem("backpoints.breathPace") || "4-6";
      breathToggle.addEventListener("change", () => {
        localStorage.setItem("backpoints.breath", breathToggle.checked ? "on" : "off");
        breath.hidden = !breathToggle.checked;
      });
      breathPace.addEventListener("change", () => localStorage.setItem("backpoints.breathPace", breathPace.value));
      breath.hidden = !breathToggle.checked;
    }

    function pace() {
      if (!breathToggle || !breathToggle.checked || elapsed < lead) return;
      const [inhale, exhale] = breathPace.value.split("-").map(Number);
      const t = (elapsed - lead) % (inhale + exhale);
      breath.textContent = t < inhale ? `Breathe in… ${Math.ceil(inhale - t)}` : `Breathe out slowly… ${Math.ceil(inhale + exhale - t)}`;
      breath.dataset.phase = t < inhale ? "in" : "out";
    }

    function fireCues() {
      while (nextCue < cues.length && cues[nextCue].t_s <= elapsed) {
        cueText.textContent = cues[nextCue].say;
        speak(cues[nextCue].say);
        nextCue += 1;
      }
    }

    function showRating(done) {
      if (!rate) return;
      timer.hidden = true;
      rate.hidden = false;
      const first = rate.querySelector("input[type=radio], button");
      rate.scrollIntoView({ block: "nearest" });
      if (first) first.focus();
      const heading = document.getElementById("rate-heading");
      if (heading && done && heading.dataset.done) heading.textContent = heading.dataset.done;
    }

    function finish() {
      running = false;
      clearInterval(handle);
      awake.release();
      status.textContent = t("Time is up. Rate your pain now.");
      cueText.textContent = t("Time is up. How is the pain now?");
      tone([660, 880]);
      buzz([120, 80, 120]);
      showRating(true);
    }

    function tick() {
      const now = performance.now();
      elapsed += ((now - lastTick) / 1000) * speed;
      lastTick = now;
      fireCues();
      pace();
      render();
      if (elapsed >= total) finish();
    }

    function run() {
      running = true;
      lastTick = performance.now();
      awake.hold();
      handle = setInterval(tick, Math.max(20, 250 / speed));
    }

    startBtn.addEventListener("click", () => {
      tone([]); // unlock sound on this tap, so the start tone can play later
      buzz(30);
      startBtn.hidden = true;
      pauseBtn.hidden = false;
      status.textContent = t("Timer started");
      fireCues();
      run();
      render();
      pauseBtn.focus();
    });

    pauseBtn.addEventListener("click", () => {
      if (running) {
        running = false;
        clearInterval(handle);
        awake.release();
        pauseBtn.textContent = t("Resume");
        status.textContent = t("Paused");
        if ("speechSynthesis" in window) window.speechSynthesis.cancel();
      } else {
        pauseBtn.textContent = t("Pause");
        status.textContent = t("Resumed");
        run();
      }
    });

    rateNow.addEventListener("click", () => {
      running = false;
      clearInterval(handle);
      awake.release();
      showRating(false);
    });

    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && running) awake.hold();
    });
    render();
    timeLeft.textContent = t("%(num)d seconds, after a short get-ready").replace("%(num)d", duration);
    ringText.textContent = String(duration);
    ring.setAttribute("stroke-dashoffset", "0");
  }

  // ---- Offline: ratings, skips and stops kept on this device and sent in order, once -------
  const OUTBOX = "backpoints.outbox";

  function outbox() {
    try {
      return JSON.parse(localStorage.getItem(OUTBOX) || "[]");
    } catch (err) {
      return [];
    }
  }

  function saveOutbox(items) {
    localStorage.setItem(OUTBOX, JSON.stringify(items));
    showPending();
  }

  function showPending() {
    const items = outbox();
    let banner = document.getElementById("sync-banner");
    if (!items.length) {
      if (banner) banner.hidden = true;
      return;
    }
    if (!banner) {
      banner = document.createElement("p");
      banner.id = "sync-banner";
      banner.className = "sync-note";
      banner.setAttribute("role", "status");
      const main = document.getElementById("main");
      main.insertBefore(banner, main.firstChild);
    }
    banner.hidden = false;
    banner.textContent = items.length === 1
      ? "1 answer is saved on this device and will sync when the connection is back."
      : `${items.length} answers are saved on this device and will sync when the connection is back.`;
  }

  let flushing = false;

  async function flush() {
    if (flushing) return;
    flushing = true;
    let sent = 0;
    try {
      for (;;) {
        const items = outbox();
        if (!items.length) break;
        const item = items[0];
        try {
          await fetch(item.url, {
            method: "POST",
            body: new URLSearchParams(item.body),
            credentials: "same-origin",
          });
        } catch (err) {
          break; // still offline: keep it, try again later
        }
        saveOutbox(outbox().filter((other) => other.id !== item.id)); // delivered: never again
        sent += 1;
      }
    } finally {
      flushing = false;
    }
    // show where the session stands now (also when this page came from the offline guide)
    const here = window.location.pathname;
    if (sent && (here.startsWith("/sessions/") || here.startsWith("/runs/"))) window.location.reload();
  }

  function setupOfflineForms() {
    document.querySelectorAll("form[data-offline]").forEach((form) => {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = [...new FormData(form).entries()].map(([k, v]) => [k, String(v)]);
        const pending = outbox().length > 0;
        if (!pending) {
          try {
            const response = await fetch(form.action, {
              method: "POST",
              body: new URLSearchParams(body),
              credentials: "same-origin",
            });
            window.location.assign(response.url || window.location.href);
            return;
          } catch (err) {
            // no connection: keep it on the device below
          }
        }
        const id = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
        saveOutbox([...outbox(), { id, url: form.action, body, kind: form.dataset.offline }]);
        const note = form.querySelector("[data-sync-note]"); // the banner above counts them all
        if (note) {
          note.hidden = false;
          note.textContent = t("Saved on this device; it will sync when the connection is back.");
        }
        form.querySelectorAll("button, input").forEach((el) => { el.disabled = true; });
      });
    });

    const start = document.getElementById("pain-form");
    if (start) {
      start.addEventListener("submit", (event) => {
        if (!navigator.onLine) {
          event.preventDefault();
          const note = document.getElementById("offline-start");
          note.hidden = false;
          note.focus();
        }
      });
    }
    window.addEventListener("online", flush);
    showPending();
    if (navigator.onLine) flush();
  }

  // ---- Chips that remember the order they were picked in (routine builder) -----------------
  function setupOrderedChips() {
    document.querySelectorAll("[data-ordered]").forEach((group) => {
      const boxes = [...group.querySelectorAll("input[type=checkbox]")];
      const picked = boxes.filter((box) => box.checked).map((box) => box.value);
      function number() {
        boxes.forEach((box) => {
          const label = box.closest("label");
          const at = picked.indexOf(box.value);
          if (at >= 0) label.dataset.order = String(at + 1);
          else delete label.dataset.order;
        });
      }
      boxes.forEach((box) => box.addEventListener("change", () => {
        const at = picked.indexOf(box.value);
        if (box.checked && at < 0) picked.push(box.value);
        if (!box.checked && at >= 0) picked.splice(at, 1);
        number();
      }));
      const form = group.closest("form");
      form.addEventListener("submit", () => {
        // send the points in the order they were picked, not the order of the list
        picked.forEach((value) => {
          const hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = boxes[0].name;
          hidden.value = value;
          form.appendChild(hidden);
        });
        boxes.forEach((box) => { box.disabled = true; });
      });
      number();
    });
  }

  // ---- Spine levels on the map, on request ----------------------------------------------------
  function setupLevels() {
    document.querySelectorAll("[data-levels-toggle]").forEach((toggle) => {
      const box = document.getElementById(toggle.dataset.levelsToggle);
      toggle.addEventListener("change", () => box.classList.toggle("show-levels", toggle.checked));
    });
  }

  function registerWorker() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    }
  }

  // ---- Scan: a tap on the map marks a spot in body-frame centimetres -----------------------
  function setupScanMap() {
    const box = document.getElementById("scan-map");
    if (!box) return;
    const svg = box.querySelector("svg");
    svg.addEventListener("click", (event) => {
      const pt = svg.createSVGPoint();
      pt.x = event.clientX;
      pt.y = event.clientY;
      const p = pt.matrixTransform(svg.getScreenCTM().inverse());
      document.getElementById("x_cm").value = p.x.toFixed(2);
      document.getElementById("y_cm").value = p.y.toFixed(2);
      const side = p.x < 0 ? "left" : "right";
      document.getElementById("scan-where").textContent =
        `Spot marked ${Math.abs(p.x).toFixed(0)} cm ${side} of the spine, ${p.y.toFixed(0)} cm below the bony bump at the base of the neck. Set how tender, then save.`;
      document.getElementById("tenderness").focus();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupScanMap();
    const printButton = document.getElementById("print-btn");
    if (printButton) printButton.addEventListener("click", () => window.print());
    setupPainMap();
    setupTimer();
    setupOfflineForms();
    setupOrderedChips();
    setupLevels();
    registerWorker();
  });
})();
