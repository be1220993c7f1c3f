// What every page shares: posting JSON commands, and following a server's frames with a long poll (each request
// waits until the server has something newer than `version`, so a page gets every update soon after it is made
// without asking in a loop).
"use strict";

async function postJson(path, body, errorLine) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  errorLine.textContent = response.ok ? "" : (await response.text()).trim();
  return response.ok;
}

async function longPoll(path, show, errorLine) {
  let version = -1;
  for (;;) {
    try {
      const response = await fetch(`${path}?after=${version}`);
      if (!response.ok) throw new Error(await response.text());
      const update = await response.json();
      if (update.version !== version) { version = update.version; show(update); }
    } catch (e) {
      errorLine.textContent = `lost the server (${e.message}); retrying`;
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }
}

// The buttons both games have: play, pause, one iteration, one D step, one G step, and reset with the seed field's value.
function wireGameButtons(command, seed) {
  document.getElementById("play").onclick = () => command("play");
  document.getElementById("pause").onclick = () => command("pause");
  document.getElementById("step").onclick = () => command("step", { kind: "iteration" });
  document.getElementById("step-d").onclick = () => command("step", { kind: "discriminator" });
  document.getElementById("step-g").onclick = () => command("step", { kind: "generator" });
  document.getElementById("reset").onclick = () => command("reset", { seed: seed() });
}
