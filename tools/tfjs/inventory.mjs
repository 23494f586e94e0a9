// Inventory of the TF.js graph models in a directory (e.g. the models/ folder of
// the extracted @vladmandic/human npm tarball).
//
//   node inventory.mjs /tmp/human/package/models > inventory.txt
//
// For each *.json that is a TF.js graph model (has modelTopology) it prints:
// input signature, output names, the multiset of op types, the distinct
// fused_ops lists of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul,
// the distinct values of the other attributes per op type, and the weights
// manifest dtypes and quantization kinds. A summary across all models follows.
// Pure JSON reading: no TensorFlow.js needed.

import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node inventory.mjs <models-dir>');
  process.exit(2);
}

const FUSED = new Set(['_FusedConv2D', 'FusedDepthwiseConv2dNative', '_FusedMatMul']);
// attributes that are the same everywhere or carry data rather than semantics
const SKIP_ATTRS = new Set(['T', 'value', 'dtype', 'fused_ops', 'use_cudnn_on_gpu', 'device']);

const b64 = (s) => Buffer.from(s, 'base64').toString('utf8');

function dims(tensorShape) {
  if (!tensorShape) return '?';
  if (tensorShape.unknownRank) return '<unknown rank>';
  return '[' + (tensorShape.dim || []).map((d) => d.size ?? '?').join(',') + ']';
}

function dtypeName(t) {
  return (t || '?').replace(/^DT_/, '').toLowerCase();
}

// Render one AttrValue (the JSON form of tensorflow.AttrValue) compactly.
function attrValue(a) {
  if (a == null) return 'null';
  if ('s' in a) return JSON.stringify(b64(a.s));
  if ('i' in a) return String(a.i);
  if ('f' in a) return String(a.f);
  if ('b' in a) return String(a.b);
  if ('type' in a) return dtypeName(a.type);
  if ('shape' in a) return dims(a.shape);
  if ('list' in a) {
    const l = a.list;
    if (l.s) return '[' + l.s.map((x) => JSON.stringify(b64(x))).join(',') + ']';
    if (l.i) return '[' + l.i.join(',') + ']';
    if (l.f) return '[' + l.f.join(',') + ']';
    if (l.b) return '[' + l.b.join(',') + ']';
    if (l.type) return '[' + l.type.map(dtypeName).join(',') + ']';
    if (l.shape) return '[' + l.shape.map(dims).join(',') + ']';
    return '[]';
  }
  if ('func' in a) return 'func:' + a.func.name;
  return JSON.stringify(a);
}

function sigEntries(entries) {
  return Object.entries(entries || {}).map(([key, t]) =>
    `${key} -> name=${t.name} shape=${dims(t.tensorShape)} dtype=${dtypeName(t.dtype)}`);
}

const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const allOps = new Map(); // op -> Set(model)
const allFused = new Map(); // op -> Set(list)
const allQuant = new Map(); // kind -> Set(model)

for (const file of files) {
  const m = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  if (!m.modelTopology) {
    console.log(`=== ${file}: not a graph model (keys: ${Object.keys(m).slice(0, 5).join(', ')}...), skipped\n`);
    continue;
  }
  const model = file.replace(/\.json$/, '');
  const nodes = m.modelTopology.node || [];
  console.log(`=== ${file}`);
  console.log(`format: ${m.format}  generatedBy: ${m.generatedBy}  convertedBy: ${m.convertedBy}`);
  console.log(`versions: ${JSON.stringify(m.modelTopology.versions || {})}  library functions: ${(m.modelTopology.library?.function || []).length}`);

  let sig = null;
  let sigWhere = '';
  if (m.userDefinedMetadata?.signature) { sig = m.userDefinedMetadata.signature; sigWhere = 'userDefinedMetadata.signature (takes precedence in tfjs-converter)'; } else if (m.signature) { sig = m.signature; sigWhere = 'signature'; }
  const placeholders = nodes.filter((n) => n.op.startsWith('Placeholder'));
  console.log(`signature source: ${sig ? sigWhere : 'none'}`);
  if (sig) {
    console.log('inputs (signature):');
    for (const l of sigEntries(sig.inputs)) console.log('  ' + l);
    console.log('outputs (signature, in key order = tfjs model.outputs order):');
    for (const l of sigEntries(sig.outputs)) console.log('  ' + l);
  }
  console.log('placeholders:');
  for (const p of placeholders) console.log(`  ${p.name} shape=${attrValue(p.attr?.shape)} dtype=${attrValue(p.attr?.dtype)}`);
  if (!sig || !sig.outputs || Object.keys(sig.outputs).length === 0) {
    // tfjs-converter: with no signature outputs, outputs are the nodes nobody consumes
    const consumed = new Set();
    for (const n of nodes) for (const i of n.input || []) consumed.add(i.replace(/^\^/, '').split(':')[0]);
    console.log('outputs (nodes without consumers, graph order):');
    for (const n of nodes) if (!consumed.has(n.name)) console.log(`  ${n.name} (${n.op})`);
  }

  // op multiset
  const counts = new Map();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) || 0) + 1);
  console.log(`nodes: ${nodes.length}`);
  console.log('ops:');
  for (const [op, c] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`  ${op.padEnd(28)} ${c}`);
    if (!allOps.has(op)) allOps.set(op, new Set());
    allOps.get(op).add(model);
  }

  // fused ops lists
  const fused = new Map();
  for (const n of nodes) {
    if (!FUSED.has(n.op)) continue;
    const list = (n.attr?.fused_ops?.list?.s || []).map(b64);
    const extra = [];
    if (n.attr?.num_args) extra.push(`num_args=${n.attr.num_args.i}`);
    if (list.includes('FusedBatchNorm') && n.attr?.epsilon) extra.push(`epsilon=${n.attr.epsilon.f}`);
    if (n.attr?.leakyrelu_alpha) extra.push(`leakyrelu_alpha=${n.attr.leakyrelu_alpha.f}`);
    const key = `${n.op} [${list.join(',')}] ${extra.join(' ')}`.trim();
    fused.set(key, (fused.get(key) || 0) + 1);
    if (!allFused.has(n.op)) allFused.set(n.op, new Set());
    allFused.get(n.op).add(`[${list.join(',')}]`);
  }
  if (fused.size) {
    console.log('fused_ops:');
    for (const [k, c] of [...fused].sort()) console.log(`  ${k}  x${c}`);
  }

  // other attribute values per op
  const attrs = new Map(); // "op.attr" -> Map(value -> count)
  for (const n of nodes) {
    if (n.op === 'Const' || n.op.startsWith('Placeholder')) continue;
    for (const [k, v] of Object.entries(n.attr || {})) {
      if (SKIP_ATTRS.has(k) || k.startsWith('_')) continue;
      const key = `${n.op}.${k}`;
      if (!attrs.has(key)) attrs.set(key, new Map());
      const s = attrValue(v);
      attrs.get(key).set(s, (attrs.get(key).get(s) || 0) + 1);
    }
  }
  if (attrs.size) {
    console.log('attributes (distinct values x count):');
    for (const [k, vals] of [...attrs].sort((a, b) => a[0].localeCompare(b[0]))) {
      const vs = [...vals].map(([v, c]) => `${v} x${c}`);
      const shown = vs.length > 8 ? vs.slice(0, 8).join('; ') + `; ... (${vs.length} distinct)` : vs.join('; ');
      console.log(`  ${k}: ${shown}`);
    }
  }

  // dtypes of Const tensors (as declared in the graph)
  const constTypes = new Map();
  for (const n of nodes) if (n.op === 'Const') {
    const t = dtypeName(n.attr?.dtype?.type);
    constTypes.set(t, (constTypes.get(t) || 0) + 1);
  }
  console.log('Const dtypes: ' + [...constTypes].map(([t, c]) => `${t} x${c}`).join(', '));

  // weights manifest
  const kinds = new Map();
  let nWeights = 0;
  const groups = m.weightsManifest || [];
  for (const g of groups) for (const w of g.weights) {
    nWeights++;
    const q = w.quantization;
    let kind = `${w.dtype}`;
    if (q) {
      if (q.dtype === 'float16') kind += ' <- quantized float16';
      else if ('min' in q || 'scale' in q) kind += ` <- quantized ${q.dtype} affine (min/scale)`;
      else kind += ` <- quantized ${q.dtype} ${Object.keys(q).join('/')}`;
      if (q.original_dtype && q.original_dtype !== w.dtype) kind += ` original_dtype=${q.original_dtype}`;
    } else kind += ' (raw)';
    if (w.group) kind += ` group=${w.group}`;
    kinds.set(kind, (kinds.get(kind) || 0) + 1);
    const gk = q ? `quantization ${q.dtype}` : `raw ${w.dtype}`;
    if (!allQuant.has(gk)) allQuant.set(gk, new Set());
    allQuant.get(gk).add(model);
  }
  const shards = groups.flatMap((g) => g.paths);
  console.log(`weights manifest: ${groups.length} group(s), ${nWeights} weights, shards: ${shards.join(', ')}`);
  for (const [k, c] of [...kinds].sort()) console.log(`  ${k}  x${c}`);
  // show a few quantization parameter examples for affine schemes
  const examples = [];
  for (const g of groups) for (const w of g.weights) {
    const q = w.quantization;
    if (q && q.dtype !== 'float16' && examples.length < 3) examples.push(`${w.name} ${JSON.stringify(q)}`);
  }
  for (const e of examples) console.log(`  e.g. ${e}`);
  console.log('');
}

console.log('=== summary across all models');
console.log('op types (model list):');
for (const [op, ms] of [...allOps].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`  ${op.padEnd(28)} ${[...ms].join(', ')}`);
console.log('fused_ops lists:');
for (const [op, ls] of [...allFused].sort()) console.log(`  ${op}: ${[...ls].sort().join(' ')}`);
console.log('weight encodings:');
for (const [k, ms] of [...allQuant].sort()) console.log(`  ${k}: ${[...ms].join(', ')}`);
