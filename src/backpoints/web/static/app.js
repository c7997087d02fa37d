// backpoints: the little JavaScript the pages need. Everything works without it (forms post
// to the server); with it the map is tappable, the timer counts down and speaks its cues.
"use strict";

(function () {
  const speed = Number(document.body.dataset.countdownSpeed || "1") || 1;
  // The few texts this script writes, in the page's language (see js_texts in web/app.py).
  const TEXTS = JSON.parse((document.getElementById("i18n-js") || {}).textContent || "{}");
  const t = (text) => TEXTS[text] || text;

  // The menu's language choice applies as soon as it changes (the button does it without JS).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  // ---- Pain map: regions are buttons that reveal and set their pain slider ----------------
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

    function sync(regionId) {
      const row = rows.get(regionId);
      const input = row.querySelector("input");
      const level = Number(input.value);
      row.querySelector("output").textContent = `${level} / 10`;
      const shape = form.querySelector(`.region[data-region="${regionId}"]`);
      if (shape) {
        shape.setAttribute("aria-pressed", level > 0 ? "true" : "false");
        shape.querySelector("path").setAttribute("fill", painFill(level));
      }
    }

    function refreshHint() {
      const any = [...rows.values()].some((row) => !row.hidden);
      hint.hidden = any;
    }

    rows.forEach((row, regionId) => {
      const input = row.querySelector("input");
      row.hidden = Number(input.value) === 0;
      input.addEventListener("input", () => sync(regionId));
      sync(regionId);
    });
    refreshHint();

    function toggle(shape) {
      const regionId = shape.dataset.region;
      const row = rows.get(regionId);
      const input = row.querySelector("input");
      if (row.hidden) {
        row.hidden = false;
        if (Number(input.value) === 0) input.value = "5";
        sync(regionId);
        input.focus();
      } else {
        input.value = "0";
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

  // ---- Spoken cues and the end chime ------------------------------------------------------
  const SPEECH_KEY = "backpoints.speech";

  // The page's language (<html lang>) picks the voice: one for that language when the browser
  // has one; the utterance carries the language either way.
  const VOICE_LANGS = { en: "en-GB", es: "es-ES", hi: "hi-IN", zh: "zh-CN" };
  function speak(text) {
    const toggle = document.getElementById("speech-toggle");
    if (!toggle || !toggle.checked || !("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    const lang = (document.documentElement.lang || "en").toLowerCase();
    utterance.lang = VOICE_LANGS[lang] || lang;
    const voice = window.speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().replace("_", "-").startsWith(lang));
    if (voice) utterance.voice = voice;
    window.speechSynthesis.speak(utterance);
  }

  function chime() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      const ctx = new Context();
      [660, 880].forEach((freq, i) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, ctx.currentTime + i * 0.35);
        gain.gain.exponentialRampToValueAtTime(0.25, ctx.currentTime + i * 0.35 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + i * 0.35 + 1.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + i * 0.35);
        osc.stop(ctx.currentTime + i * 0.35 + 1.3);
      });
    } catch (err) {
      // Audio is a nicety; the visual end of the countdown is enough.
    }
  }

  // ---- Countdown ring -------------------------------------------------------------------
  function setupTimer() {
    const timer = document.getElementById("timer");
    if (!timer) return;
    const duration = Number(timer.dataset.duration);
    const cues = JSON.parse(document.getElementById("cues").textContent || "[]");
    const ring = timer.querySelector(".progress");
    const circumference = 2 * Math.PI * 52;
    const ringText = document.getElementById("ring-text");
    const timeLeft = document.getElementById("time-left");
    const cueText = document.getElementById("cue-text");
    const status = document.getElementById("timer-status");
    const startBtn = document.getElementById("start-btn");
    const pauseBtn = document.getElementById("pause-btn");
    const speech = document.getElementById("speech-toggle");
    speech.checked = localStorage.getItem(SPEECH_KEY) === "on";
    speech.addEventListener("change", () => localStorage.setItem(SPEECH_KEY, speech.checked ? "on" : "off"));

    const lead = Number(timer.dataset.leadIn || "0");
    const total = lead + duration;
    let elapsed = 0; // seconds since Start, the get-ready lead-in included
    let running = false;
    let lastTick = 0;
    let nextCue = 0;
    let handle = null;
    let lastAnnounced = null;

    function render() {
      const left = Math.max(0, Math.min(duration, Math.ceil(total - elapsed)));
      ringText.textContent = String(left);
      ring.setAttribute("stroke-dashoffset", String(circumference * (1 - left / duration)));
      timeLeft.textContent = elapsed < lead ? `Starting in ${Math.ceil(lead - elapsed)} seconds` : `${left} seconds left`;
      const bucket = Math.ceil(left / 10);
      if (running && elapsed >= lead && bucket !== lastAnnounced && left % 10 === 0) {
        lastAnnounced = bucket;
        status.textContent = `${left} seconds left`;
      }
    }

    // Breathing guide: slow, exhale-weighted breathing during the massage (on/off and pace
    // remembered on this device).
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

    function finish() {
      running = false;
      clearInterval(handle);
      startBtn.disabled = true;
      pauseBtn.disabled = true;
      cueText.textContent = t("Time is up. How is the pain now?");
      status.textContent = t("Time is up. Rate your pain now.");
      chime();
      const rate = document.getElementById("rate");
      rate.scrollIntoView({ behavior: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
      const first = rate.querySelector("input, button");
      if (first) first.focus({ preventScroll: true });
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

    startBtn.addEventListener("click", () => {
      running = true;
      lastTick = performance.now();
      startBtn.disabled = true;
      pauseBtn.disabled = false;
      pauseBtn.textContent = t("Pause");
      status.textContent = t("Timer started");
      fireCues();
      handle = setInterval(tick, Math.max(20, 250 / speed));
    });

    pauseBtn.addEventListener("click", () => {
      if (running) {
        running = false;
        clearInterval(handle);
        pauseBtn.textContent = t("Resume");
        status.textContent = t("Paused");
        if ("speechSynthesis" in window) window.speechSynthesis.cancel();
      } else {
        running = true;
        lastTick = performance.now();
        pauseBtn.textContent = t("Pause");
        status.textContent = t("Resumed");
        handle = setInterval(tick, Math.max(20, 250 / speed));
      }
    });
    render();
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
        `Spot marked ${Math.abs(p.x).toFixed(0)} cm ${side} of the spine, ${p.y.toFixed(0)} cm below C7. Set how tender, then save.`;
      document.getElementById("tenderness").focus();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupScanMap();
    const printButton = document.getElementById("print-btn");
    if (printButton) printButton.addEventListener("click", () => window.print());
    setupPainMap();
    setupTimer();
    registerWorker();
  });
})();
