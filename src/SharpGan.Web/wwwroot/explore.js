// The latent explorer: a z from a seed, moved along a few fixed directions by the sliders; a straight line between two
// picked z; the class of a conditional G. Every picture is drawn by the server's generator (GET, PNG).
"use strict";

let info = null, seed = 1, pickA = null, pickB = null;
const errorLine = document.getElementById("error");
const classSelect = document.getElementById("class");

const offsets = () => [...document.querySelectorAll("#sliders input")].map(s => Number(s.value).toFixed(2)).join(",");
const labelPart = () => info && info.classes > 0 ? `&label=${classSelect.value}` : "";

async function load(img, url) {
  const response = await fetch(url);
  if (!response.ok) { errorLine.textContent = (await response.text()).trim(); return; }
  errorLine.textContent = "";
  const previous = img.src;
  img.src = URL.createObjectURL(await response.blob());
  if (previous.startsWith("blob:")) URL.revokeObjectURL(previous);
  img.hidden = false;
  img.dataset.loads = String(Number(img.dataset.loads ?? 0) + 1);
}

let pending = false, again = false;
async function redraw() {
  if (pending) { again = true; return; } // one request at a time; the last slider position wins
  pending = true;
  document.getElementById("seed").textContent = seed;
  await load(document.getElementById("sample"), `/api/explore/sample?seed=${seed}&o=${offsets()}${labelPart()}`);
  pending = false;
  if (again) { again = false; redraw(); }
}

async function start() {
  info = await (await fetch("/api/explore/info")).json();
  window.explorerInfo = info;
  if (!info.available) { errorLine.textContent = info.error; return; }
  document.getElementById("source").textContent = `${info.source} · z in ${info.noiseDim} dimensions`;
  const sliders = document.getElementById("sliders");
  for (let d = 0; d < info.directions; d++) {
    const label = document.createElement("label");
    label.textContent = `direction ${d + 1}`;
    const input = document.createElement("input");
    Object.assign(input, { type: "range", min: -info.maxOffset, max: info.maxOffset, step: 0.05, value: 0 });
    input.oninput = redraw;
    label.appendChild(input);
    sliders.appendChild(label);
  }
  if (info.classes > 0) {
    for (let c = 0; c < info.classes; c++) classSelect.add(new Option(String(c), String(c)));
    document.getElementById("class-label").hidden = false;
    classSelect.onchange = redraw;
  }
  redraw();
}

document.getElementById("random").onclick = () => {
  seed = Math.floor(Math.random() * 2147483647);
  document.querySelectorAll("#sliders input").forEach(s => { s.value = 0; });
  redraw();
};
const pick = (which) => () => {
  if (which === "a") pickA = seed; else pickB = seed;
  document.getElementById(which).textContent = which === "a" ? pickA : pickB;
  document.getElementById("interpolate").disabled = pickA === null || pickB === null;
};
document.getElementById("pick-a").onclick = pick("a");
document.getElementById("pick-b").onclick = pick("b");
document.getElementById("interpolate").onclick = () =>
  load(document.getElementById("strip"), `/api/explore/interpolate?from=${pickA}&to=${pickB}&steps=10${labelPart()}`);
start();
