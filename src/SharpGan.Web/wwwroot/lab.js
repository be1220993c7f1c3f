// The lab page: asks the server for each new frame (a long poll: the request waits until the engine publishes one),
// draws it, and sends the user's commands and settings as JSON. Everything shown is computed by the engine; this file
// only draws. The newest frame is kept in window.labFrame (the browser tests read it).
"use strict";

const plane = document.getElementById("plane");
const ctx = plane.getContext("2d");
const history = document.getElementById("history");
const form = document.getElementById("settings");
const errorLine = document.getElementById("error");
let frame = null;
let formFilled = false;
const frameTimes = [];

const post = (path, body) => postJson(path, body, errorLine);
const command = (action, extra = {}) => post("/api/lab/command", { action, ...extra });

// World coordinates [-e, e]² to canvas pixels and back (y up).
const toPixel = (x, y, e) => [(x + e) / (2 * e) * plane.width, (e - y) / (2 * e) * plane.height];
const toWorld = (px, py, e) => [px / plane.width * 2 * e - e, e - py / plane.height * 2 * e];

function heatColour(d) {
  // D near 1 (looks real): blue; near 0 (looks fake): pink; ½: white.
  const t = Math.max(-1, Math.min(1, 2 * d - 1));
  const [r, g, b] = t >= 0 ? [255 - 117 * t, 255 - 75 * t, 255 - 7 * t] : [255 + 11 * t, 255 + 89 * t, 255 + 57 * t];
  return `rgb(${r | 0},${g | 0},${b | 0})`;
}

function drawPoints(points, e, colour, radius) {
  ctx.fillStyle = colour;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const [px, py] = toPixel(points[i], points[i + 1], e);
    ctx.beginPath(); ctx.arc(px, py, radius, 0, 2 * Math.PI); ctx.fill();
  }
}

function drawManifold(f, e) {
  const side = f.manifoldSide, m = f.manifold, rows = m.length / 2 / side;
  ctx.strokeStyle = "rgba(120,120,120,0.6)"; ctx.lineWidth = 1;
  const line = (index) => { ctx.beginPath(); index.forEach((k, j) => { const [px, py] = toPixel(m[2 * k], m[2 * k + 1], e); j ? ctx.lineTo(px, py) : ctx.moveTo(px, py); }); ctx.stroke(); };
  for (let r = 0; r < rows; r++) line([...Array(side).keys()].map(c => r * side + c));
  if (rows > 1) for (let c = 0; c < side; c++) line([...Array(rows).keys()].map(r => r * side + c));
}

function drawArrows(a, e) {
  let longest = 1e-12;
  for (let i = 0; i < a.length; i += 4) longest = Math.max(longest, Math.hypot(a[i + 2], a[i + 3]));
  const scale = 0.12 * e / longest; // the longest arrow is 12 % of the half-width
  ctx.strokeStyle = "#d1242f"; ctx.lineWidth = 1.2;
  for (let i = 0; i < a.length; i += 4) {
    const [x0, y0] = toPixel(a[i], a[i + 1], e), [x1, y1] = toPixel(a[i] + scale * a[i + 2], a[i + 1] + scale * a[i + 3], e);
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    const angle = Math.atan2(y1 - y0, x1 - x0);
    ctx.beginPath(); ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - 5 * Math.cos(angle - 0.4), y1 - 5 * Math.sin(angle - 0.4));
    ctx.lineTo(x1 - 5 * Math.cos(angle + 0.4), y1 - 5 * Math.sin(angle + 0.4));
    ctx.closePath(); ctx.fillStyle = "#d1242f"; ctx.fill();
  }
}

function drawPlane(f) {
  const e = f.extent, side = f.heatSide, cell = plane.width / side;
  ctx.clearRect(0, 0, plane.width, plane.height);
  if (document.getElementById("show-heat").checked)
    for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) { ctx.fillStyle = heatColour(f.heat[r * side + c]); ctx.fillRect(c * cell, r * cell, cell + 1, cell + 1); }
  if (document.getElementById("show-manifold").checked) drawManifold(f, e);
  if (document.getElementById("show-real").checked) drawPoints(f.real, e, "rgba(26,127,55,0.55)", 2);
  drawPoints(f.fake, e, "rgba(130,80,223,0.8)", 2.2);
  if (document.getElementById("show-arrows").checked) drawArrows(f.arrows, e);
  ctx.strokeStyle = "#1a7f37"; ctx.lineWidth = 2;
  for (const [x, y] of f.modes.length <= 100 ? f.modes : []) { const [px, py] = toPixel(x, y, e); ctx.beginPath(); ctx.arc(px, py, 4, 0, 2 * Math.PI); ctx.stroke(); }
}

function drawHistory(f) {
  const h = history.getContext("2d"), w = history.width, ht = history.height, points = f.history;
  h.clearRect(0, 0, w, ht); h.strokeStyle = "#ddd"; h.strokeRect(0, 0, w, ht);
  if (points.length < 2) return;
  const x = (i) => i / (points.length - 1) * (w - 4) + 2, y = (v) => ht - 2 - v * (ht - 4);
  const plot = (value, colour) => { h.strokeStyle = colour; h.beginPath(); points.forEach((p, i) => i ? h.lineTo(x(i), y(value(p))) : h.moveTo(x(i), y(value(p)))); h.stroke(); };
  plot(p => f.modeCount ? p.modesCovered / f.modeCount : 0, "#1a7f37");
  plot(p => p.meanDReal, "#1f6feb");
  plot(p => p.meanDFake, "#bf3989");
}

const fixed = (v, digits = 3) => (v === null || v === undefined) ? "–" : Number(v).toFixed(digits);

function show(f) {
  frame = f; window.labFrame = f;
  document.getElementById("iterations").textContent = f.iterations;
  document.getElementById("d-steps").textContent = f.discriminatorSteps;
  document.getElementById("g-steps").textContent = f.generatorSteps;
  document.getElementById("d-real").textContent = fixed(f.meanDReal);
  document.getElementById("d-fake").textContent = fixed(f.meanDFake);
  document.getElementById("d-loss").textContent = fixed(f.discriminatorLoss);
  document.getElementById("g-loss").textContent = fixed(f.generatorLoss);
  document.getElementById("modes-covered").textContent = f.modeCount ? `${f.modesCovered} / ${f.modeCount}` : "–";
  document.getElementById("high-quality").textContent = (100 * f.highQualityFraction).toFixed(1) + " %";
  document.getElementById("message").textContent = f.message ?? "";
  document.getElementById("play").disabled = f.playing;
  document.getElementById("pause").disabled = !f.playing;
  if (!formFilled) { fillForm(f.settings); formFilled = true; }
  drawPlane(f); drawHistory(f);
  const now = performance.now(); frameTimes.push(now);
  while (frameTimes.length && now - frameTimes[0] > 2000) frameTimes.shift();
  document.getElementById("fps").textContent = (frameTimes.length / 2).toFixed(1);
}

function fillForm(settings) {
  for (const element of form.elements) if (element.name && settings[element.name] !== undefined) element.value = settings[element.name];
}

function readForm() {
  const settings = { ...frame.settings };
  for (const element of form.elements) {
    if (!element.name) continue;
    settings[element.name] = element.type === "number" ? Number(element.value) : element.value;
  }
  return settings;
}

wireGameButtons(command, () => Number(form.elements.seed.value));
document.getElementById("clear-points").onclick = () => command("clear_points");
form.onsubmit = async (event) => { event.preventDefault(); if (frame) await post("/api/lab/settings", readForm()); };
form.elements.data.onchange = async () => { if (frame) { await post("/api/lab/settings", readForm()); formFilled = false; } };
plane.onclick = (event) => {
  if (!frame) return;
  const box = plane.getBoundingClientRect();
  const [x, y] = toWorld((event.clientX - box.left) * plane.width / box.width, (event.clientY - box.top) * plane.height / box.height, frame.extent);
  form.elements.data.value = "drawn";
  command("add_point", { x, y });
};
longPoll("/api/lab/frame", show, errorLine);
