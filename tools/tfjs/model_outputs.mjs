// Run TF.js graph models once on tfjs's pure-JS 'cpu' backend and write their
// input and the output 0 of every sink node as raw little-endian float32.
//
//   node tools/tfjs/model_outputs.mjs --out DIR name=path/to/model.json ...
//
// Per model: DIR/<name>.input.bin, DIR/<name>.out<k>.bin, DIR/<name>.json
// (see README.md here). Input element i (flat, row-major) is sin(0.37*i)*0.9.

import fs from 'node:fs';
import path from 'node:path';
import { tf, loadGraphModelFromFile } from './fs_graph_model.mjs';
import '@tensorflow/tfjs-backend-cpu';

const argv = process.argv.slice(2);
const o = argv.indexOf('--out');
if (o < 0 || !argv[o + 1]) throw new Error('usage: model_outputs.mjs --out DIR name=model.json ...');
const outDir = path.resolve(argv[o + 1]);
const models = argv.filter((a, i) => i !== o && i !== o + 1).map((a) => {
  const eq = a.indexOf('=');
  if (eq <= 0) throw new Error(`expected name=path/to/model.json, got ${a}`);
  return [a.slice(0, eq), path.resolve(a.slice(eq + 1))];
});

const dims = (tensorShape) => tensorShape?.dim?.map((d) => Number(d.size ?? -1));
const strip = (s) => s.replace(/^\^/, '').replace(/:\d+$/, '');

// The single float32 Placeholder and its batch-1 shape, or a reason to skip.
function findInput(json) {
  const nodes = json.modelTopology.node;
  const ph = nodes.filter((n) => n.op === 'Placeholder');
  if (ph.length !== 1) return { reason: `${ph.length} Placeholder nodes` };
  const { name, attr } = ph[0];
  if (attr?.dtype?.type !== 'DT_FLOAT') return { reason: `input ${name} has dtype ${attr?.dtype?.type}` };
  const batch1 = (s) => s && s.map((d, i) => (i === 0 && d === -1 ? 1 : d));
  let shape = batch1(dims(attr.shape?.shape));
  if (!shape || shape.includes(-1)) {
    const sig = json.signature ?? json.userDefinedMetadata?.signature;
    const entry = Object.values(sig?.inputs ?? {}).find((e) => strip(e.name) === name);
    shape = batch1(dims(entry?.tensorShape));
    if (!shape || shape.includes(-1)) return { reason: `input ${name} has no fixed shape` };
  }
  return { name, shape };
}

// Nodes that no other node consumes, not Const or Placeholder, in graph order.
function sinkNodes(json) {
  const nodes = json.modelTopology.node;
  const used = new Set(nodes.flatMap((n) => (n.input ?? []).filter((s) => !s.startsWith('^')).map(strip)));
  return nodes.filter((n) => !used.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.name);
}

function writeF32(file, arr) {
  const f = Float32Array.from(arr); // int32 -> float32; on little-endian hosts the bytes are LE
  fs.writeFileSync(file, new Uint8Array(f.buffer));
}

await tf.setBackend('cpu');
await tf.ready();
fs.mkdirSync(outDir, { recursive: true });

for (const [name, jsonPath] of models) {
  const t0 = performance.now();
  try {
    const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    const input = findInput(json);
    if (input.reason) { console.log(`${name}: skipped: ${input.reason}`); continue; }
    const numel = input.shape.reduce((a, b) => a * b, 1);
    const x = new Float32Array(numel).map((_, i) => Math.sin(0.37 * i) * 0.9);
    const outNames = sinkNodes(json);
    const model = await loadGraphModelFromFile(jsonPath);
    const xt = tf.tensor(x, input.shape, 'float32');
    let ys = model.execute({ [input.name]: xt }, outNames);
    if (!Array.isArray(ys)) ys = [ys];
    const outputs = [];
    for (let k = 0; k < ys.length; k++) {
      const v = ys[k].dataSync();
      writeF32(path.join(outDir, `${name}.out${k}.bin`), v);
      outputs.push({ name: outNames[k], shape: ys[k].shape, dtype: ys[k].dtype,
        maxabs: v.reduce((m, e) => Math.max(m, Math.abs(e)), 0) });
    }
    writeF32(path.join(outDir, `${name}.input.bin`), x);
    const J = JSON.stringify; // one output per line
    fs.writeFileSync(path.join(outDir, `${name}.json`), `{"input": ${J(input)},\n "outputs": [\n  `
      + outputs.map((e) => J(e)).join(',\n  ')
      + `],\n "tfjs_version": ${J(tf.version_core)}, "backend": ${J(tf.getBackend())}}\n`);
    tf.dispose([xt, ...ys]);
    model.dispose();
    const secs = ((performance.now() - t0) / 1000).toFixed(2);
    console.log(`${name}: input [${input.shape}], ${outputs.length} outputs, ${secs} s`);
  } catch (e) {
    console.log(`${name}: skipped: ${String(e?.message ?? e).split('\n')[0]}`);
  }
}
