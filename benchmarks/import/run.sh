#!/usr/bin/env bash
# Imported TF.js graph models: minitf against TensorFlow.js 4.22 (wasm and
# cpu backends) in one run, on the same models and batches. Writes
# build/bench/results/import.{csv,md}; benchmarks/run.sh --docs-only puts the
# table into docs/benchmarks.md. Needs Node and the npm registry (for the
# pinned tfjs packages and @vladmandic/human's emotion model).
#
#   benchmarks/import/run.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=30
if [[ "${1:-}" == --runs ]]; then runs=$2; fi
out=build/bench/results
mkdir -p "$out" build/bench/human

cmake --preset bench > /dev/null
cmake --build --preset bench --target import_bench
(cd tools/tfjs && [[ -d node_modules ]] || npm ci --no-audit --no-fund)
if [[ ! -f build/bench/human/package/models/emotion.json ]]; then
  (cd build/bench/human && npm pack --silent @vladmandic/human@3.3.6 && tar xzf vladmandic-human-3.3.6.tgz)
fi
models=(blazeface=tests/data/blazeface/blazeface.json emotion=build/bench/human/package/models/emotion.json)

{
  build/bench/benchmarks/import_bench --runs "$runs" --batches 1,8 --threads 1,2 "${models[@]}"
  tfjs_args=()
  for m in "${models[@]}"; do tfjs_args+=(--model "$m"); done
  node benchmarks/tfjs/bench.mjs --runs "$runs" --batches 1,8 --backends wasm,cpu "${tfjs_args[@]}" | grep -v '^model,'
} | tee "$out/import.csv"
date -u +%Y-%m-%d > "$out/import-date"
python3 benchmarks/import/table.py "$out/import.csv" > "$out/import.md"
cat "$out/import.md"
