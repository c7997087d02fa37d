// backpoints camera page: live pose with @mediapipe/pose (vendored under /static, never a CDN)
// and the points drawn over the person's back on a canvas. The geometry mirrors
// backpoints/vision/geometry.py (back_frame, place_points); the server sends its constants and
// each point's position as linear in (C7-PSIS, cun, acromion half width) in #camera-recipe.
"use strict";

(function () {
  const recipeEl = document.getElementById("camera-recipe");
  if (!recipeEl) return;
  const R = JSON.parse(recipeEl.textContent);
  const L = R.landmarks;
  const TRUNK = ["left_shoulder", "right_shoulder", "left_hip", "right_hip"];
  const COLOURS = { acupressure: "#0b5cad", "trigger-point": "#dc6e00", lay: "#14822f" };
  const MESSAGES = {
    facing: "They seem to face the camera: ask them to turn their back to it.",
    cropped: "Step back: both shoulders and both hips must be in the picture.",
    small: "Come closer: the person is too small in the picture.",
    tilt: "Hold the camera upright and ask them to stand straight.",
    side: "Ask them to stand straight, their back square to the camera.",
    none: "Looking for a person…",
  };

  // ---- Geometry (mirror of geometry.py) ---------------------------------------------------
  function marks(landmarks, w, h) {
    const out = {};
    for (const [name, i] of Object.entries(L)) {
      const p = landmarks[i];
      if (p) out[name] = { x: p.x * w, y: p.y * h, v: p.visibility == null ? 1 : p.visibility };
    }
    return out;
  }

  function seen(m, name, w, h, threshold) {
    const p = m[name];
    return !!p && p.v >= threshold && p.x >= 0 && p.x <= w && p.y >= 0 && p.y <= h;
  }

  // The model's left shoulder on the viewer's right (across the trunk) means a front view;
  // the face is not used, since the model reports it from behind too (geometry.facing_camera).
  function facingCamera(m, w, h) {
    if (!seen(m, "left_shoulder", w, h, R.minVisibility) || !seen(m, "right_shoulder", w, h, R.minVisibility)) return false;
    const sl = m.left_shoulder, sr = m.right_shoulder, hl = m.left_hip, hr = m.right_hip;
    const hips = seen(m, "left_hip", w, h, R.minVisibility) && seen(m, "right_hip", w, h, R.minVisibility);
    const down = hips ? [(hl.x + hr.x - sl.x - sr.x) / 2, (hl.y + hr.y - sl.y - sr.y) / 2] : [0, 1];
    return (sr.x - sl.x) * down[1] - (sr.y - sl.y) * down[0] < 0;
  }

  function backFrame(landmarks, w, h) {
    const m = marks(landmarks || [], w, h);
    if (!landmarks || !landmarks.length) return { error: "none" };
    if (facingCamera(m, w, h)) return { error: "facing", marks: m };
    if (TRUNK.some((n) => !seen(m, n, w, h, R.minVisibility))) return { error: "cropped", marks: m };
    const sl = m.left_shoulder, sr = m.right_shoulder;
    const sMid = [(sl.x + sr.x) / 2, (sl.y + sr.y) / 2];
    const hMid = [(m.left_hip.x + m.right_hip.x) / 2, (m.left_hip.y + m.right_hip.y) / 2];
    const shoulderPx = Math.hypot(sl.x - sr.x, sl.y - sr.y);
    if (shoulderPx < R.minShoulderPx) return { error: "small", marks: m };
    const down = [hMid[0] - sMid[0], hMid[1] - sMid[1]];
    const len = Math.hypot(down[0], down[1]);
    const yAxis = len ? [down[0] / len, down[1] / len] : [0, 1];
    const tilt = (Math.acos(Math.max(-1, Math.min(1, yAxis[1]))) * 180) / Math.PI;
    if (!len || tilt > R.maxTiltDeg) return { error: "tilt", marks: m };
    const xAxis = [yAxis[1], -yAxis[0]];
    const lift = R.c7AboveShoulders * shoulderPx;
    const c7 = [sMid[0] - lift * yAxis[0], sMid[1] - lift * yAxis[1]];
    const trunkPx = R.psisAlongC7Hip * ((hMid[0] - c7[0]) * yAxis[0] + (hMid[1] - c7[1]) * yAxis[1]);
    const spreadPx = Math.abs((sr.x - sl.x) * xAxis[0] + (sr.y - sl.y) * xAxis[1]);
    const ratio = trunkPx / Math.max(spreadPx, 1e-9);
    if (ratio < R.trunkToShoulders[0] || ratio > R.trunkToShoulders[1]) return { error: "side", marks: m };
    const ref = R.reference;
    let scale = shoulderPx / (2 * ref.acromionHalfCm * R.shoulderFraction);
    if (ref.statureKnown) scale = Math.sqrt((scale * trunkPx) / ref.c7PsisCm);
    const p = trunkPx / scale;
    const body = [p, ref.statureKnown ? ref.cunCm : (p * ref.cunCm) / ref.c7PsisCm,
      shoulderPx / R.shoulderFraction / 2 / scale];
    if (ref.statureKnown) {
      const [lo, hi] = R.plausible;
      const trunk = p / ref.c7PsisCm, shoulders = body[2] / ref.acromionHalfCm;
      if (trunk < lo || trunk > hi || shoulders < lo || shoulders > hi) return { error: "side", marks: m };
    }
    return { c7, xAxis, yAxis, pxPerCm: scale, body, marks: m };
  }

  function placePoints(frame) {
    const dot = (k, v) => k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
    return R.points.map((pt) => {
      const x = dot(pt.x, frame.body), y = dot(pt.y, frame.body), s = frame.pxPerCm;
      const radiusCm = R.uncertainty[0] + R.uncertainty[1] * Math.hypot(x, y);
      return {
        id: pt.id, side: pt.side, xCm: x, yCm: y, radiusCm,
        px: frame.c7[0] + s * (x * frame.xAxis[0] + y * frame.yAxis[0]),
        py: frame.c7[1] + s * (x * frame.xAxis[1] + y * frame.yAxis[1]),
        radiusPx: radiusCm * s,
      };
    });
  }

  // ---- Drawing ----------------------------------------------------------------------------
  const canvas = document.getElementById("camera-canvas");
  const ctx = canvas.getContext("2d");
  const statusEl = document.getElementById("camera-status");
  const numbers = new Map();
  R.points.forEach((pt) => { if (!numbers.has(pt.id)) numbers.set(pt.id, numbers.size + 1); });
  canvas.style.width = "100%";
  canvas.style.maxWidth = "40rem";
  canvas.style.height = "auto";
  canvas.style.background = "#222";

  function fillKey() {
    const key = document.getElementById("camera-key");
    numbers.forEach((n, id) => {
      const li = document.createElement("li");
      const label = R.labels[id] || { name: id, tradition: "acupressure" };
      li.value = n;
      li.textContent = label.name;
      li.style.color = COLOURS[label.tradition] || COLOURS.acupressure;
      key.appendChild(li);
    });
  }

  function draw(source, w, h, landmarks) {
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    canvas.hidden = false;
    if (source) ctx.drawImage(source, 0, 0, w, h);
    else ctx.clearRect(0, 0, w, h);
    const frame = backFrame(landmarks, w, h);
    const unit = Math.max(1, Math.max(w, h) / 700);
    if (frame.marks) {  // the landmarks the model found, even when they cannot be used
      ctx.fillStyle = "#ffffff";
      for (const name of TRUNK) {
        const p = frame.marks[name];
        if (p) { ctx.beginPath(); ctx.arc(p.x, p.y, 4 * unit, 0, 2 * Math.PI); ctx.fill(); }
      }
    }
    if (frame.error) {
      statusEl.textContent = MESSAGES[frame.error];
      return { error: frame.error, points: [] };
    }
    const placed = placePoints(frame);
    const end = [frame.c7[0] + frame.yAxis[0] * frame.body[0] * frame.pxPerCm,
      frame.c7[1] + frame.yAxis[1] * frame.body[0] * frame.pxPerCm];
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = unit;
    ctx.beginPath(); ctx.moveTo(frame.c7[0], frame.c7[1]); ctx.lineTo(end[0], end[1]); ctx.stroke();
    ctx.font = `${Math.round(12 * unit)}px system-ui, sans-serif`;
    for (const p of placed) {
      const label = R.labels[p.id] || { tradition: "acupressure" };
      const colour = COLOURS[label.tradition] || COLOURS.acupressure;
      ctx.globalAlpha = 0.18;
      ctx.fillStyle = colour;
      ctx.beginPath(); ctx.arc(p.px, p.py, p.radiusPx, 0, 2 * Math.PI); ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = colour;
      ctx.stroke();
      ctx.beginPath(); ctx.arc(p.px, p.py, 3 * unit, 0, 2 * Math.PI); ctx.fill();
      ctx.lineWidth = 3 * unit;
      ctx.strokeStyle = "#ffffff";
      ctx.strokeText(String(numbers.get(p.id)), p.px + 4 * unit, p.py - 4 * unit);
      ctx.fillText(String(numbers.get(p.id)), p.px + 4 * unit, p.py - 4 * unit);
      ctx.lineWidth = unit;
    }
    statusEl.textContent = `Points drawn on the back (${numbers.size} points). Hold still to read them.`;
    return { error: null, points: placed };
  }

  // ---- The pose model and the camera ------------------------------------------------------
  const video = document.getElementById("camera-video");
  const startButton = document.getElementById("camera-start");
  const stopButton = document.getElementById("camera-stop");
  const stats = { frames: 0, total: 0, since: performance.now(), fps: 0, last: null };
  let pose = null, stream = null, running = false, pending = null;

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    });
  }

  async function model() {
    if (pose) return pose;
    statusEl.textContent = "Loading the pose model…";
    if (!window.Pose) await loadScript(R.vendor + "pose.js");
    const made = new window.Pose({ locateFile: (file) => R.vendor + file });
    made.setOptions({ modelComplexity: 0, smoothLandmarks: true, enableSegmentation: false,
      minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 });
    made.onResults((results) => {
      const img = results.image;
      stats.last = draw(img, img.width, img.height, results.poseLandmarks);
      stats.frames += 1;
      stats.total += 1;
      canvas.dataset.frames = String(stats.total);  // for tests: frames the model has seen
      const now = performance.now();
      if (now - stats.since >= 1000) {
        stats.fps = (stats.frames * 1000) / (now - stats.since);
        stats.frames = 0; stats.since = now;
      }
      if (pending) { pending(stats.last); pending = null; }
    });
    await made.initialize();
    pose = made;
    return pose;
  }

  async function loop() {
    while (running) {
      if (video.readyState >= 2) await pose.send({ image: video });
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  }

  async function start() {
    startButton.disabled = true;
    try {
      await model();
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
      video.srcObject = stream;
      await video.play();
      running = true;
      stopButton.disabled = false;
      statusEl.textContent = MESSAGES.none;
      loop();
    } catch (err) {
      statusEl.textContent = `The camera could not start (${err.message || err}). ` +
        "Allow the camera for this page, or use a photo below.";
      startButton.disabled = false;
    }
  }

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    stopButton.disabled = true;
    startButton.disabled = false;
    statusEl.textContent = "The camera is off.";
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  fillKey();
  const overlay = document.getElementById("photo-overlay");
  if (overlay) { overlay.style.maxWidth = "100%"; overlay.style.height = "auto"; }

  // For tests and benchmarks: the geometry, a still image through the real model, and
  // landmarks drawn without a model. Nothing here leaves the page.
  window.backpointsCamera = {
    backFrame, placePoints, stats,
    async feed(image) {
      await model();
      const done = new Promise((resolve) => { pending = resolve; });
      await pose.send({ image });
      return done;
    },
    show(landmarks, w, h) { return draw(null, w, h, landmarks); },
    start, stop,
  };
})();
