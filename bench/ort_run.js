// Runs an ONNX model with ONNX Runtime (npm onnxruntime-node, CPU) as an external oracle.
// usage: node ort_run.js MODEL INPUT_DIR OUTPUT_DIR [THREADS] [RUNS]
// With RUNS, also times RUNS runs after one warm-up and prints "ort: min X ms, median Y ms".
// Reads each graph input NAME from INPUT_DIR/<safe NAME>.npy (the layout `conflux run --inputs`
// reads) and writes each output to OUTPUT_DIR/<safe NAME>.npy, where the safe name replaces
// every character outside [A-Za-z0-9._-] with '_'.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(process.env.CONFLUX_ORT_MODULE || 'onnxruntime-node');

const TYPES = {
  '<f4': ['float32', Float32Array],
  '<i8': ['int64', BigInt64Array],
  '<i4': ['int32', Int32Array],
  '|b1': ['bool', Uint8Array],
};

function safeName(name) { return name.replace(/[^A-Za-z0-9._-]/g, '_'); }

function readNpy(file) {
  const buf = fs.readFileSync(file);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']*)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim())
                    .filter(s => s.length).map(Number);
  const [type, Ctor] = TYPES[descr];
  const bytes = buf.subarray(start + headerLen);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const data = type === 'bool' ? Array.from(copy, v => v !== 0) : new Ctor(copy.buffer);
  return new ort.Tensor(type, data, shape);
}

function writeNpy(file, tensor) {
  const descr = {float32: '<f4', int64: '<i8', int32: '<i4', bool: '|b1'}[tensor.type];
  if (!descr) throw new Error(`unsupported output type ${tensor.type}`);
  const dims = tensor.dims.length === 1 ? `${tensor.dims[0]},` : tensor.dims.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(header.length, 8);
  const data = tensor.type === 'bool' ? Buffer.from(Uint8Array.from(tensor.data, v => v ? 1 : 0))
                                       : Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

(async () => {
  const [model, inputDir, outputDir, threads, runs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: Number(threads || 1)});
  const feeds = {};
  for (const name of session.inputNames)
    feeds[name] = readNpy(path.join(inputDir, `${safeName(name)}.npy`));
  const results = await session.run(feeds);
  fs.mkdirSync(outputDir, {recursive: true});
  for (const name of session.outputNames) writeNpy(path.join(outputDir, `${safeName(name)}.npy`), results[name]);
  if (runs) {
    const times = [];
    for (let i = 0; i < Number(runs); ++i) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`ort: min ${times[0].toFixed(3)} ms, median ${times[times.length >> 1].toFixed(3)} ms`);
  }
})().catch(e => { console.error(`ort_run: ${e.message}`); process.exit(2); });
