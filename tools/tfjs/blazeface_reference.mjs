// Reference tensors for the BlazeFace TF.js graph model, computed by
// TensorFlow.js (tfjs-core/-converter/-backend-cpu, versions pinned in
// package.json) on its pure-JS 'cpu' backend.
//
//   cd tools/tfjs && npm install && node blazeface_reference.mjs [--samples N] [--out FILE]
//
// Writes tests/data/blazeface/reference.safetensors (see README.md here for
// the layout): the input, every graph output, and a deterministic sample of
// the output 0 of every node of modelTopology.node that is not Const or
// Placeholder.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, loadGraphModelFromFile } from './fs_graph_model.mjs';
import '@tensorflow/tfjs-backend-cpu';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const modelPath = path.resolve(arg('--model', path.join(repo, 'tests/data/blazeface/blazeface.json')));
const outPath = path.resolve(arg('--out', path.join(repo, 'tests/data/blazeface/reference.safetensors')));
// Elements kept per large intermediate tensor. 1024 keeps the file under
// ~1.5 MB: the full input alone is 256*256*3*4 = 768 KiB.
const SAMPLES = Number(arg('--samples', '1024'));
const BATCH_NAMES = 24; // node names fetched per model.execute call

function gcd(a, b) { while (b) [a, b] = [b, a % b]; return a; }

// Sampling stride for a tensor of numel elements: the largest s <= floor(numel/SAMPLES)
// with gcd(s, numel) == 1. Elements k*s, k = 0..SAMPLES-1, are kept. Being coprime
// to numel, s is coprime to every trailing-dimension product (channels, W*C, ...),
// so the samples walk through all channels instead of hitting one channel only, as
// a stride that is a multiple of C (e.g. 393216/4096 = 96 = 4*24) would.
function sampleStride(numel) {
  let s = Math.floor(numel / SAMPLES);
  while (s > 1 && gcd(s, numel) !== 1) s--;
  return s;
}

// Deterministic smooth "image" in [-1, 1] (what human feeds BlazeFace:
// resizeBilinear(img,[256,256]) / 127.5 - 1), with a little hash noise.
function makeInput(shape) {
  const [n, h, w, c] = shape;
  const data = new Float32Array(n * h * w * c);
  let k = 0;
  for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let ch = 0; ch < c; ch++) {
    let hsh = Math.imul(i + 1, 73856093) ^ Math.imul(j + 1, 19349663) ^ Math.imul(ch + 1 + 7 * b, 83492791);
    hsh = Math.imul(hsh ^ (hsh >>> 15), 0x2c1b3c6d);
    hsh ^= hsh >>> 12;
    const noise = ((hsh >>> 0) % 1000) / 1000 - 0.5; // [-0.5, 0.5)
    const v01 = 0.5 + 0.4 * Math.sin(0.07 * i + 0.05 * j + 1.3 * ch + 0.5 * b)
      + 0.05 * Math.cos(0.013 * i * j / 16 + ch) + 0.04 * noise; // within [0.01, 0.99]
    data[k++] = 2 * v01 - 1;
  }
  return data;
}

function maxAbs(arr) {
  let m = 0;
  for (let i = 0; i < arr.length; i++) { const a = Math.abs(arr[i]); if (a > m) m = a; }
  return m;
}

// ---- safetensors writer: u64 LE header length, JSON header, raw LE data ----
class SafeTensors {
  constructor() { this.entries = []; this.metadata = {}; }
  add(key, shape, f32) { this.entries.push({ key, shape, data: f32 }); }
  write(file) {
    const header = { __metadata__: this.metadata };
    let off = 0;
    for (const e of this.entries) {
      const bytes = e.data.length * 4;
      header[e.key] = { dtype: 'F32', shape: e.shape, data_offsets: [off, off + bytes] };
      off += bytes;
    }
    let hjson = JSON.stringify(header);
    hjson += ' '.repeat((8 - (Buffer.byteLength(hjson) % 8)) % 8); // align data to 8 bytes
    const hbuf = Buffer.from(hjson, 'utf8');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(hbuf.length));
    const parts = [len, hbuf];
    for (const e of this.entries) {
      const b = Buffer.alloc(e.data.length * 4);
      for (let i = 0; i < e.data.length; i++) b.writeFloatLE(e.data[i], i * 4);
      parts.push(b);
    }
    fs.writeFileSync(file, Buffer.concat(parts));
    return 8 + hbuf.length + off;
  }
}

await tf.setBackend('cpu');
await tf.ready();
const model = await loadGraphModelFromFile(modelPath);
const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));

const inInfo = model.inputs[0];
const shape = inInfo.shape.map((d) => (d == null || d < 0 ? 1 : d)); // batch 1
if (inInfo.dtype !== 'float32') throw new Error(`input dtype ${inInfo.dtype} not handled`);
const inputData = makeInput(shape);
const input = tf.tensor(inputData, shape, 'float32');

const st = new SafeTensors();
const nodeOps = new Map(json.modelTopology.node.map((n) => [n.name, n.op]));
const outputNames = model.outputNodes.map((n) => n.replace(/:0$/, ''));
st.metadata.inputs = JSON.stringify(model.inputNodes.map((n) => n.replace(/:0$/, '')));
st.metadata.outputs = JSON.stringify(outputNames);
st.metadata.tfjs_version = tf.version_core;
st.metadata.backend = tf.getBackend();
st.metadata.samples = String(SAMPLES);
st.metadata.sampling = 'node:N tensors with more than `samples` elements keep elements k*stride for k in [0,samples); stride = largest s <= floor(numel/samples) with gcd(s,numel)=1; smaller tensors are stored whole (stride 1)';
st.metadata.input_pattern = 'x[b,i,j,c] = 2*(0.5+0.4*sin(0.07i+0.05j+1.3c+0.5b)+0.05*cos(0.013*i*j/16+c)+0.04*hashnoise)-1, in [-1,1]';

st.add('input', shape, inputData);
st.metadata.input = JSON.stringify({ name: model.inputNodes[0].replace(/:0$/, ''), shape, maxabs: maxAbs(inputData) });

// graph outputs, in the model's output order
let outs = model.execute(input);
if (!Array.isArray(outs)) outs = [outs];
for (let i = 0; i < outs.length; i++) {
  const t = outs[i];
  const d = Float32Array.from(await t.data());
  st.add(`output:${outputNames[i]}`, t.shape, d);
  st.metadata[`output:${outputNames[i]}`] = JSON.stringify({ shape: t.shape, maxabs: maxAbs(d), dtype: t.dtype });
}
tf.dispose(outs);

// every computed node, output 0
const nodes = json.modelTopology.node.filter((n) => n.op !== 'Const' && !n.op.startsWith('Placeholder')).map((n) => n.name);
let sampled = 0;
let full = 0;
for (let b = 0; b < nodes.length; b += BATCH_NAMES) {
  const names = nodes.slice(b, b + BATCH_NAMES);
  let ts = model.execute(input, names);
  if (!Array.isArray(ts)) ts = [ts];
  for (let i = 0; i < names.length; i++) {
    const t = ts[i];
    const raw = await t.data();
    const all = Float32Array.from(raw); // int32/bool -> float32
    const numel = all.length;
    const meta = { shape: t.shape, numel, maxabs: maxAbs(all), op: nodeOps.get(names[i]) };
    if (t.dtype !== 'float32') meta.dtype = t.dtype;
    if (numel <= SAMPLES) {
      st.add(`node:${names[i]}`, t.shape, all);
      meta.stride = 1;
      full++;
    } else {
      const s = sampleStride(numel);
      const d = new Float32Array(SAMPLES);
      for (let k = 0; k < SAMPLES; k++) d[k] = all[k * s];
      st.add(`node:${names[i]}`, [SAMPLES], d);
      meta.stride = s;
      sampled++;
    }
    // key order as documented: shape, stride, numel, maxabs, then extras
    const { shape: sh, stride, numel: nm, maxabs, ...rest } = meta;
    st.metadata[`node:${names[i]}`] = JSON.stringify({ shape: sh, stride, numel: nm, maxabs, ...rest });
  }
  tf.dispose(ts);
}

const size = st.write(outPath);
console.log(`model: ${path.relative(repo, modelPath)}  tfjs-core ${tf.version_core}  backend ${tf.getBackend()}`);
console.log(`input: ${model.inputNodes[0]} shape [${shape}] range [${inputData.reduce((a, v) => Math.min(a, v), Infinity).toFixed(4)}, ${inputData.reduce((a, v) => Math.max(a, v), -Infinity).toFixed(4)}]`);
console.log(`outputs: ${outputNames.join(', ')}`);
console.log(`nodes: ${json.modelTopology.node.length} in graph, ${nodes.length} computed (${full} stored whole, ${sampled} sampled at ${SAMPLES} elements)`);
console.log(`wrote ${path.relative(repo, outPath)}: ${size} bytes`);
