// Figure 1 as an animation: long-polls /api/figure1/frame and draws p_data, p_g, D and D* above, and the z → x mapping
// below, as the paper's figure does. window.figure1Frame holds the newest frame (the browser tests read it).
"use strict";

const canvas = document.getElementById("figure");
const ctx = canvas.getContext("2d");
const errorLine = document.getElementById("error");
const form = document.getElementById("controls");

const command = (action, extra = {}) => postJson("/api/figure1/command", { action, ...extra }, errorLine);

function draw(f) {
  const w = canvas.width, h = canvas.height, top = 270, pad = 20;
  ctx.clearRect(0, 0, w, h); ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
  const x0 = f.x[0], x1 = f.x[f.x.length - 1], px = (x) => pad + (x - x0) / (x1 - x0) * (w - 2 * pad);
  const peak = Math.max(...f.dataDensity, ...f.generatorDensity, 1e-9);
  const density = (v) => top - v / peak * (top - 20) * 0.9, prob = (v) => top - v * (top - 20);
  const line = (ys, map, colour, dash = [], shown = () => true) => {
    ctx.strokeStyle = colour; ctx.setLineDash(dash); ctx.lineWidth = 2; ctx.beginPath();
    let drawing = false;
    f.x.forEach((x, i) => { if (!shown(i)) { drawing = false; return; } drawing ? ctx.lineTo(px(x), map(ys[i])) : ctx.moveTo(px(x), map(ys[i])); drawing = true; });
    ctx.stroke(); ctx.setLineDash([]);
  };
  // D* = p_data / (p_data + p_g) is 0/0 where neither density has mass: drawn only where they do.
  line(f.optimalDiscriminator, prob, "#999", [2, 3], (i) => f.dataDensity[i] + f.generatorDensity[i] > 1e-3 * peak);
  line(f.discriminator, prob, "#1f6feb", [6, 4]);
  line(f.generatorDensity, density, "#1a7f37");
  ctx.fillStyle = "#000";
  f.x.forEach((x, i) => { if (i % 3 === 0) { ctx.beginPath(); ctx.arc(px(x), density(f.dataDensity[i]), 1.6, 0, 2 * Math.PI); ctx.fill(); } });
  // Below: the z line (bottom) mapped onto the x line, as Figure 1's lower half.
  const xLine = top + 40, zLine = h - 20;
  ctx.strokeStyle = "#333"; ctx.lineWidth = 1;
  for (const y of [xLine, zLine]) { ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(w - pad, y); ctx.stroke(); }
  ctx.fillStyle = "#555"; ctx.font = "12px system-ui"; ctx.fillText("x", 4, xLine + 4); ctx.fillText("z", 4, zLine + 4);
  ctx.strokeStyle = "rgba(26,127,55,0.7)";
  for (let i = 0; i < f.mapping.length; i += 2) {
    const z = f.mapping[i], gx = f.mapping[i + 1];
    ctx.beginPath(); ctx.moveTo(pad + z * (w - 2 * pad), zLine); ctx.lineTo(Math.max(pad, Math.min(w - pad, px(gx))), xLine); ctx.stroke();
  }
}

function drawHistory(f) {
  const c = document.getElementById("history").getContext("2d"), w = 320, h = 140, pts = f.history;
  c.clearRect(0, 0, w, h); c.strokeStyle = "#ddd"; c.strokeRect(0, 0, w, h);
  if (pts.length < 2) return;
  const hi = Math.max(...pts.map(p => p.valueAtOptimum), f.negLog4 + 0.05), lo = f.negLog4 - 0.02;
  const x = (i) => 2 + i / (pts.length - 1) * (w - 4), y = (v) => h - 2 - (v - lo) / (hi - lo) * (h - 4);
  c.strokeStyle = "#999"; c.beginPath(); c.moveTo(0, y(f.negLog4)); c.lineTo(w, y(f.negLog4)); c.stroke();
  c.strokeStyle = "#1f6feb"; c.beginPath(); pts.forEach((p, i) => i ? c.lineTo(x(i), y(p.valueAtOptimum)) : c.moveTo(x(i), y(p.valueAtOptimum))); c.stroke();
}

function show(f) {
  window.figure1Frame = f;
  document.getElementById("iterations").textContent = f.iterations;
  document.getElementById("d-steps").textContent = f.discriminatorSteps;
  document.getElementById("g-steps").textContent = f.generatorSteps;
  document.getElementById("jsd").textContent = f.jensenShannon.toFixed(5);
  document.getElementById("value").textContent = f.valueAtOptimum.toFixed(4);
  document.getElementById("value-trained").textContent = f.valueAtTrainedD.toFixed(4);
  document.getElementById("neglog4").textContent = f.negLog4.toFixed(4);
  if (document.activeElement !== form.elements.speed) form.elements.speed.value = f.speed; // the server's, not a stale default
  document.getElementById("play").disabled = f.playing;
  document.getElementById("pause").disabled = !f.playing;
  draw(f); drawHistory(f);
}

wireGameButtons(command, () => Number(form.elements.seed.value));
form.onsubmit = (event) => { event.preventDefault(); command("speed", { speed: Number(form.elements.speed.value) }); };
longPoll("/api/figure1/frame", show, errorLine);
