'use strict';
// ONNX Runtime peer of the Inference benchmarks: times onnxruntime-node (its bundled CPU build: the CPU execution
// provider, MLAS kernels) on the networks the PyTorch peer times, for every Inference row of a JMH result file.
//
//   node bench/ort_peer.js OURS.json MODELS_DIR     (run by bench/compare.sh; NODE_PATH finds onnxruntime-node)
//
// MODELS_DIR holds MODEL-bBATCH.onnx from bench/onnx_export.py. Each row gets its own InferenceSession:
// intraOpNumThreads = the row's threads, interOpNumThreads 1, graphOptimizationLevel 'all', executionMode
// 'sequential'. With 2 or more threads it is timed twice, with the intra-op pool spinning between parallel regions
// (ORT's default) and without, as the PyTorch peer runs both OpenMP wait policies; compare.sh keeps the faster.
// The input is a fixed pseudo-random batch in [-1, 1), NCHW.
//
// Prints one JSON object per row and setting: {benchmark, model, batch, threads, spinning, ms, meanMs, runs}: ms is
// the MEDIAN of the timed calls of `await session.run(...)` (at least 5 calls and 4 s, at most 200) after warm-up
// calls (at least 2 and 2 s); meanMs is their mean, the statistic JMH reports for our side.
const path = require('path');
const ort = require('onnxruntime-node');

const [oursJson, modelsDir] = process.argv.slice(2);
if (!modelsDir) {
  console.error('usage: node ort_peer.js OURS.json MODELS_DIR');
  process.exit(2);
}

/** Times fn() (async) after a warm-up: {ms: median, meanMs, runs}. */
async function timed(fn) {
  const warmStart = process.hrtime.bigint();
  for (let i = 0; i < 2 || Number(process.hrtime.bigint() - warmStart) < 2e9; i++) await fn();
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < 200 && (times.length < 5 || Number(process.hrtime.bigint() - start) < 4e9)) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const ms = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { ms, meanMs: times.reduce((a, b) => a + b, 0) / times.length, runs: times.length };
}

/** A batch of `batch` images of size × size × 3 (NCHW), uniform in [-1, 1) from a fixed linear congruential seed. */
function input(batch, size) {
  const data = new Float32Array(batch * 3 * size * size);
  let seed = 42;
  for (let i = 0; i < data.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    data[i] = seed / 2 ** 31 - 1;
  }
  return new ort.Tensor('float32', data, [batch, 3, size, size]);
}

const SIZES = { mobilenetv2: 224, inceptionv3: 299 };

async function main() {
  const rows = require(path.resolve(oursJson)).filter(r => r.benchmark === 'slice.bench.Inference.forward');
  for (const r of rows) {
    const model = r.params.model, batch = Number(r.params.batch), threads = Number(r.params.threads);
    const file = path.join(modelsDir, `${model}-b${batch}.onnx`);
    const feeds = { input: input(batch, SIZES[model]) };
    for (const spinning of threads > 1 ? [true, false] : [true]) {
      const session = await ort.InferenceSession.create(file, {
        executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
        graphOptimizationLevel: 'all', executionMode: 'sequential',
        extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
      });
      const t = await timed(() => session.run(feeds));
      await session.release();
      console.log(JSON.stringify({ benchmark: 'Inference.forward', model, batch, threads, spinning, ...t }));
    }
  }
}

main().catch(e => {
  console.error(`ort_peer.js: ${e.message.split('\n')[0]}`);
  process.exit(1);
});
