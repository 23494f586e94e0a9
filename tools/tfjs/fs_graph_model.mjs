// Load a TF.js graph model (model.json + binary weight shards) from the local
// file system with tfjs-converter's loadGraphModel and an in-process IOHandler,
// so that no tfjs-node (native) package is needed.

import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

// An IOHandler whose load() reads the json and concatenates the weight shards
// named in its weightsManifest (paths relative to the json's folder).
export function fileIOHandler(jsonPath) {
  return {
    async load() {
      const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      const dir = path.dirname(jsonPath);
      const weightSpecs = [];
      const buffers = [];
      for (const group of json.weightsManifest || []) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      // a standalone ArrayBuffer holding exactly the shard bytes
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        modelInitializer: json.modelInitializer,
        weightSpecs,
        weightData,
      };
    },
  };
}

export async function loadGraphModelFromFile(jsonPath) {
  return loadGraphModel(fileIOHandler(jsonPath));
}

// Shape and dtype of the model's first input, from its signature (via the
// GraphModel's inputs) or else from the Placeholder's shape attribute.
export function firstInput(model) {
  const info = model.inputs[0];
  return { name: info.name, shape: info.shape, dtype: info.dtype };
}

export { tf };
