// TensorFlow.js inference timings for TF.js graph models, on the 'wasm'
// (XNNPACK, tfjs-backend-wasm) and 'cpu' (pure JS) backends, for comparison
// with minitf's importer. Uses the packages pinned in tools/tfjs:
//
//   (cd tools/tfjs && npm install)
//   node benchmarks/tfjs/bench.mjs [--runs 30] [--warmup 5] [--batches 1,8]
//        [--backends wasm,cpu] [--threads N] [--human-models DIR]
//        [--model name=path/to/model.json ...]
//
// Default models: BlazeFace (tests/data/blazeface) and, when --human-models
// points at the models/ folder of an extracted @vladmandic/human@3.3.6 npm
// tarball (default /tmp/human/package/models), its emotion model.
// One CSV line per (model, batch, backend): the time of one model.execute()
// plus reading back every output, median and minimum over --runs runs after
// --warmup runs. Lines starting with '#' are comments.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const toolsDir = path.join(repo, 'tools/tfjs');
const require = createRequire(path.join(toolsDir, 'package.json'));
if (!fs.existsSync(path.join(toolsDir, 'node_modules'))) {
  console.error('tools/tfjs/node_modules missing: run (cd tools/tfjs && npm install) first');
  process.exit(2);
}
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const { loadGraphModelFromFile } = await import(path.join(toolsDir, 'fs_graph_model.mjs'));

// ---- arguments ----
const argv = process.argv.slice(2);
function opt(name, dflt) { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; }
function opts(name) { const r = []; argv.forEach((a, i) => { if (a === name) r.push(argv[i + 1]); }); return r; }
const RUNS = Number(opt('--runs', '30'));
const WARMUP = Number(opt('--warmup', '5'));
const BATCHES = opt('--batches', '1,8').split(',').map(Number);
const BACKENDS = opt('--backends', 'wasm,cpu').split(',');
const THREADS = Number(opt('--threads', String(os.cpus().length)));
const humanModels = opt('--human-models', '/tmp/human/package/models');

let models = opts('--model').map((s) => { const [n, p] = s.split('='); return { name: n, path: path.resolve(p) }; });
if (models.length === 0) {
  models.push({ name: 'blazeface', path: path.join(repo, 'tests/data/blazeface/blazeface.json') });
  const emotion = path.join(humanModels, 'emotion.json');
  if (fs.existsSync(emotion)) models.push({ name: 'emotion', path: emotion });
  else console.log(`# ${emotion} not found: emotion model skipped (npm pack @vladmandic/human@3.3.6 and extract it)`);
}

// ---- helpers ----
function median(a) { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; }

function makeInput(shape, dtype) {
  // deterministic values in [-1,1] (float) or [0,255] (int), the usual image ranges
  const n = shape.reduce((a, b) => a * b, 1);
  const d = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.sin(0.001 * i) * 0.9 + 0.1 * Math.sin(0.37 * i);
    d[i] = dtype === 'float32' ? v : Math.round(127.5 * (v + 1));
  }
  return tf.tensor(d, shape, dtype);
}

async function runOnce(model, x) {
  let outs = model.execute(x);
  if (!Array.isArray(outs)) outs = [outs];
  for (const o of outs) await o.data();
  tf.dispose(outs);
}

// ---- main ----
wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
wasm.setThreadsCount(THREADS);

console.log(`# tfjs-core ${tf.version_core}, tfjs-backend-wasm ${wasm.version_wasm}, node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model}), load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log(`# runs ${RUNS} after ${WARMUP} warm-up runs; time = model.execute() + reading back all outputs`);
console.log('model,batch,backend,threads,runs,median_ms,min_ms,note');

for (const backend of BACKENDS) {
  const ok = await tf.setBackend(backend);
  if (!ok) { console.log(`# backend ${backend} failed to initialise`); continue; }
  await tf.ready();
  let threads = 1;
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    threads = wasm.getThreadsCount();
    console.log(`# wasm: WASM_HAS_SIMD_SUPPORT=${simd} WASM_HAS_MULTITHREAD_SUPPORT=${mt} requested threads ${THREADS}, XNNPACK threads ${threads}`);
  }
  for (const m of models) {
    const model = await loadGraphModelFromFile(m.path);
    const info = model.inputs[0];
    const fixedBatch = info.shape[0] != null && info.shape[0] > 0 ? info.shape[0] : null;
    for (const batch of BATCHES) {
      const shape = [batch, ...info.shape.slice(1)];
      const x = makeInput(shape, info.dtype);
      let note = '';
      if (fixedBatch != null && fixedBatch !== batch) note = `input shape fixed at [${info.shape}] in the graph`;
      try {
        for (let i = 0; i < WARMUP; i++) await runOnce(model, x);
        const times = [];
        for (let i = 0; i < RUNS; i++) {
          const t0 = performance.now();
          await runOnce(model, x);
          times.push(performance.now() - t0);
        }
        console.log(`${m.name},${batch},${backend},${threads},${RUNS},${median(times).toFixed(3)},${Math.min(...times).toFixed(3)},${note}`);
      } catch (e) {
        const msg = String(e.message || e).split('\n')[0].replace(/,/g, ';');
        console.log(`${m.name},${batch},${backend},${threads},0,,,${note ? note + ': ' : ''}failed: ${msg}`);
      }
      tf.dispose(x);
    }
    model.dispose();
  }
}
