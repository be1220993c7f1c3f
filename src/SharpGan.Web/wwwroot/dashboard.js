// The run dashboard: long-polls /api/run for where the run stands and redraws. The sample grids are fetched by their
// position in the run's list (/api/run/samples/I); the slider walks through them. window.runStatus holds the newest
// answer (the browser tests read it).
"use strict";

const slider = document.getElementById("grid-slider");
let status = null;
let followLatest = true;

function chart(canvas, series, { min = null, max = null, title = "" } = {}) {
  const c = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 32;
  c.clearRect(0, 0, w, h); c.fillStyle = "#fff"; c.fillRect(0, 0, w, h); c.strokeStyle = "#ccc"; c.strokeRect(pad, 8, w - pad - 8, h - pad);
  c.fillStyle = "#555"; c.font = "11px system-ui"; c.fillText(title, pad + 4, 20);
  const xs = series.flatMap(s => s.x), ys = series.flatMap(s => s.y.filter(v => v !== null));
  if (xs.length < 2 || ys.length === 0) return;
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = min ?? Math.min(...ys), y1 = max ?? Math.max(...ys, y0 + 1e-9);
  const px = (x) => pad + (x - x0) / Math.max(1, x1 - x0) * (w - pad - 8), py = (y) => 8 + (1 - (y - y0) / (y1 - y0 || 1)) * (h - pad);
  c.fillText(y1.toPrecision(3), 2, 14); c.fillText(y0.toPrecision(3), 2, h - pad + 8); c.fillText(`step ${x1}`, w - 90, h - 8);
  for (const s of series) {
    c.strokeStyle = s.colour; c.beginPath(); let drawing = false;
    s.x.forEach((x, i) => { const y = s.y[i]; if (y === null) { drawing = false; return; } drawing ? c.lineTo(px(x), py(y)) : c.moveTo(px(x), py(y)); drawing = true; });
    c.stroke();
  }
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
  return h ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s).padStart(2, "0")}s`;
}

function showGrid(index) {
  if (!status || !status.samples || status.samples.length === 0) return;
  document.getElementById("grid").src = `/api/run/samples/${index}?v=${status.version}`;
  document.getElementById("grid-name").textContent = status.samples[index];
}

function show(s) {
  status = s; window.runStatus = s;
  document.getElementById("run-name").textContent = s.name + (s.preset ? ` · ${s.preset} on ${s.dataset}` : "");
  document.getElementById("error").textContent = s.error ?? "";
  if (s.error) return;
  document.getElementById("step").textContent = s.step;
  document.getElementById("total").textContent = s.totalSteps ?? "–";
  document.getElementById("epoch").textContent = s.epoch.toFixed(2);
  document.getElementById("epochs").textContent = s.epochs;
  document.getElementById("speed").textContent = s.imagesPerSecond.toFixed(0);
  document.getElementById("eta").textContent = s.totalSteps && s.step >= s.totalSteps ? "done" : duration(s.remainingSeconds);
  const progress = document.getElementById("progress");
  progress.value = s.totalSteps ? s.step / s.totalSteps : 0;
  slider.max = Math.max(0, s.samples.length - 1);
  if (followLatest) { slider.value = slider.max; showGrid(s.samples.length - 1); }
  const x = s.series.step;
  // The paper's game: cross-entropy losses ≥ 0 and D outputs in [0, 1]. WGAN and hinge runs have losses of either sign and raw scores.
  const probabilities = [...s.series.dReal, ...s.series.dFake].every(v => v >= 0 && v <= 1);
  const nonNegative = [...s.series.dLoss, ...s.series.gLoss].every(v => v >= 0);
  chart(document.getElementById("losses"), [{ x, y: s.series.dLoss, colour: "#1f6feb" }, { x, y: s.series.gLoss, colour: "#d4731a" }], { min: nonNegative ? 0 : null, title: "D loss, G loss" });
  chart(document.getElementById("outputs"), [{ x, y: s.series.dReal, colour: "#1f6feb" }, { x, y: s.series.dFake, colour: "#bf3989" }],
    probabilities ? { min: 0, max: 1, title: "mean D(x), mean D(G(z))" } : { title: "mean D score on real (blue) and generated (pink)" });
  const q = s.quality;
  if (q.step.length > 0) {
    const fdMax = Math.max(...q.fd.filter(v => v !== null), 1e-9);
    chart(document.getElementById("quality"), [
      { x: q.step, y: q.fd.map(v => v === null ? null : v / fdMax), colour: "#1a7f37" },
      { x: q.step, y: q.precision, colour: "#1f6feb" }, { x: q.step, y: q.recall, colour: "#d4731a" }],
      { min: 0, max: 1, title: `FD / ${fdMax.toPrecision(3)} (green), precision, recall` });
  }
}

slider.oninput = () => { followLatest = Number(slider.value) === Number(slider.max); showGrid(Number(slider.value)); };

longPoll("/api/run", show, document.getElementById("error"));
