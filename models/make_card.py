#!/usr/bin/env python3
"""Writes models/NAME.json, the machine-readable card of a shipped generator, by measuring the repository's copy.

    python3 models/make_card.py NAME --preset P --epochs E --minutes M --machine "2 cores, 2 threads" \
        --command "sharpgan train …" [--command …] [--changes "…"] [--no-parzen]

Runs `sharpgan eval parzen --model models/NAME.safetensors --json` (10 000 samples, noise seed 1) and
`sharpgan eval metrics … --json` with the built CLI, hashes the file, and writes the card that `sharpgan models`
shows and ShippedModelTests re-measures. Tooling only: nothing at run time reads Python.
"""
import argparse
import hashlib
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "src", "SharpGan.Cli", "bin", "Release", "net10.0", "SharpGan.Cli.dll")


def sharpgan(*args):
    out = subprocess.run(["dotnet", CLI, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("--preset", required=True)
    p.add_argument("--changes", default="")
    p.add_argument("--command", action="append", required=True)
    p.add_argument("--epochs", type=float, required=True)
    p.add_argument("--minutes", type=float, required=True)
    p.add_argument("--machine", required=True)
    p.add_argument("--no-parzen", action="store_true", help="the Parzen protocol is MNIST's 28×28 one only")
    a = p.parse_args()
    path = os.path.join(ROOT, "models", a.name + ".safetensors")
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    card = {"name": a.name, "sha256": digest, "preset": a.preset, "changes": a.changes, "commands": a.command,
            "epochs": a.epochs, "training_minutes": a.minutes, "machine": a.machine, "parzen": None}
    if not a.no_parzen:
        pz = sharpgan("eval", "parzen", "--model", path, "--json")
        card["parzen"] = {"test_ll": pz["test_ll"], "test_se": pz["test_se"], "sigma": pz["sigma"], "samples": pz["samples"], "seed": 1}
    m = sharpgan("eval", "metrics", "--model", path, "--json")
    r = m["model"]
    card["metrics"] = {"fd": r["frechet_distance"], "classifier_score": r["classifier_score"], "classes_covered": r["classes_covered"],
                       "precision": r["precision"], "recall": r["recall"], "samples": m["samples"], "seed": 1}
    with open(os.path.join(ROOT, "models", a.name + ".json"), "w") as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(json.dumps(card, ensure_ascii=False))


if __name__ == "__main__":
    main()
