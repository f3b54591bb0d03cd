'use strict';
// face-api.js peer of the FaceNets benchmarks: times face-api.js's own networks, with its real weights, on
// @tensorflow/tfjs-backend-wasm, for every FaceNets row of a JMH result file at one thread count.
//
//   node bench/face_api_peer.js OURS.json THREADS BINARY MODELS_DIR      (run by bench/face_api_compare.sh)
//
// BINARY is the wasm build: 'simd' (one thread) or 'threaded-simd' (XNNPACK's thread pool of THREADS threads).
// Prints one JSON object per row: {benchmark, model, batch, threads, binary, ms, prepMs, runs}: ms is the median
// of the timed calls after a warm-up, prepMs (landmark and descriptor rows) the median time of face-api's input preparation alone.
//
// What is timed, the closest equivalents of our Graph.forward on a prepared input:
// - detector: TinyFaceDetector.runMobilenet(x, params), x a normalised [1, S, S, 3] tensor: every layer from conv0
//   to conv8, nothing else (forwardInput adds only the padding, resize and normalisation around it).
// - landmarks: FaceLandmark68(Tiny)Net.runNet(NetInput of B tensors [112, 112, 3]): face-api's toBatchTensor (no
//   padding or resize at 112: stack and cast), (x - mean) / 255, the dense blocks, the average pool and the fc layer.
//   That input preparation is timed on its own too (prepMs) so that it can be taken out.
// - descriptor: FaceRecognitionNet.forwardInput(NetInput of B tensors [150, 150, 3]), batched as face-api allows:
//   toBatchTensor (stack, cast), (x - mean) / 255, the 29 convolutions with their scale layers, the average pool and
//   the fc layer; the input preparation again timed on its own (prepMs).
// Each call ends with dataSync() on the output (the wasm backend computes synchronously; this reads the result).
const fs = require('fs');
const os = require('os');
const path = require('path');

const [oursJson, threadsArg, binary, modelsDir] = process.argv.slice(2);
if (!modelsDir || !['simd', 'threaded-simd'].includes(binary)) {
  console.error('usage: node face_api_peer.js OURS.json THREADS simd|threaded-simd MODELS_DIR');
  process.exit(2);
}
const threads = Number(threadsArg);
if (binary === 'threaded-simd') enableWasmThreadsUnderNode();

const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;

/**
 * tfjs-backend-wasm turns its threaded binary off under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there, tfjs issue
 * 3830), and its Emscripten glue hands the pthread workers their scripts as Blob URLs, which Node's Worker cannot
 * load. This writes those scripts to files instead, and restores what the bundler renamed in the main script (it
 * runs in the worker through an indirect eval, where the bundle's module variables do not exist).
 */
function enableWasmThreadsUnderNode() {
  const workerThreads = require('worker_threads');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-wasm-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const NodeBlob = global.Blob;
  const texts = new WeakMap();
  let files = 0;
  global.Blob = class extends NodeBlob {
    constructor(parts, options) {
      super(parts, options);
      if (Array.isArray(parts) && parts.every(p => typeof p === 'string')) texts.set(this, parts.join(''));
    }
  };
  const toFile = blob => {
    const file = path.join(dir, `script${files++}.js`);
    const text = texts.get(blob);
    const prelude = !text.startsWith('var WasmBackendModuleThreadedSimd') ? ''
      : `var commonjsGlobal = globalThis, __filename = ${JSON.stringify(file)}, __dirname = ${JSON.stringify(dir)},
           _scriptDir = __filename, require$$0 = require('fs'), require$$1 = require('path'),
           require$$3 = require('perf_hooks'), require$$4 = require('os');\n`;
    fs.writeFileSync(file, prelude + text);
    return file;
  };
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = blob => (texts.has(blob) ? toFile(blob) : createObjectURL(blob));
  const postMessage = workerThreads.Worker.prototype.postMessage;
  workerThreads.Worker.prototype.postMessage = function (message, ...rest) {
    if (message && texts.has(message.urlOrBlob)) message = { ...message, urlOrBlob: toFile(message.urlOrBlob) };
    return postMessage.call(this, message, ...rest);
  };
  // The backend caps XNNPACK's pool at emscripten_num_logical_cores() / 2 (it assumes two hyperthreads per core),
  // i.e. os.cpus().length / 2 under Node: 1 on a 2-core machine. Report twice the cores so that THREADS decides.
  const cpus = os.cpus;
  os.cpus = () => cpus().concat(cpus());
}

/** Median milliseconds of fn() after a warm-up: at least 20 timed calls and 2 s, at most 200 calls. */
function medianMs(fn) {
  for (let i = 0; i < 5; i++) fn();
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < 200 && (times.length < 20 || Number(process.hrtime.bigint() - start) < 2e9)) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const m = times.length >> 1;
  return { ms: times.length % 2 ? times[m] : (times[m - 1] + times[m]) / 2, runs: times.length };
}

/** A [shape] float32 tensor of uniform values in [lo, hi), from a fixed seed. */
function random(shape, lo, hi) {
  return tf.randomUniform(shape, lo, hi, 'float32', 42);
}

async function main() {
  const ours = JSON.parse(fs.readFileSync(oursJson, 'utf8'))
    .filter(r => r.benchmark.startsWith('slice.bench.FaceNets.') && Number(r.params.threads) === threads);
  if (binary === 'threaded-simd') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  tf.setThreadsCount(threads);
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const actual = tf.getThreadsCount();
  if (!simd || actual !== threads) throw new Error(`wasm backend has SIMD ${simd} and ${actual} threads, wanted ${threads}`);
  const nets = faceapi.nets;
  await nets.tinyFaceDetector.loadFromDisk(modelsDir);
  await nets.faceLandmark68Net.loadFromDisk(modelsDir);
  await nets.faceLandmark68TinyNet.loadFromDisk(modelsDir);
  await nets.faceRecognitionNet.loadFromDisk(modelsDir);
  // Each net with face-api's call from a prepared NetInput to its output, and its input size.
  const faceNets = {
    'face-landmark-68': { size: 112, run: input => nets.faceLandmark68Net.runNet(input) },
    'face-landmark-68-tiny': { size: 112, run: input => nets.faceLandmark68TinyNet.runNet(input) },
    'face-recognition': { size: 150, run: input => nets.faceRecognitionNet.forwardInput(input) },
  };

  for (const r of ours) {
    const model = r.params.model;
    const batch = Number(r.params.batch);
    const row = { benchmark: r.benchmark.replace('slice.bench.', ''), model, batch, threads, binary };
    if (model.startsWith('tiny-face-detector-')) {
      const size = Number(model.slice('tiny-face-detector-'.length));
      const net = nets.tinyFaceDetector;
      const x = random([batch, size, size, 3], -0.5, 0.5);
      Object.assign(row, medianMs(() => tf.tidy(() => { net.runMobilenet(x, net.params).dataSync(); })));
      x.dispose();
    } else {
      const net = faceNets[model];
      if (!net) throw new Error(`no face-api net for ${model}`);
      const faces = Array.from({ length: batch }, () => random([net.size, net.size, 3], 0, 255));
      const input = () => new faceapi.NetInput(faces);
      Object.assign(row, medianMs(() => tf.tidy(() => { net.run(input()).dataSync(); })));
      // face-api's own preparation steps of FaceFeatureExtractor.forwardInput and FaceRecognitionNet.forwardInput
      // (the same mean, which the latter subtracts by filling a tensor of the input's shape), without the network.
      const mean = tf.tensor1d([122.782, 117.001, 104.298]);
      row.prepMs = medianMs(() => tf.tidy(() => {
        tf.cast(input().toBatchTensor(net.size, true), 'float32').sub(mean).div(255).dataSync();
      })).ms;
      mean.dispose();
      faces.forEach(f => f.dispose());
    }
    console.log(JSON.stringify(row));
  }
}

main().then(() => process.exit(0), e => {
  console.error(`face_api_peer.js: ${e.message || e}`);
  process.exit(1);
});
