/**
 * {@code train.jar}: the application. {@link slice.train.Main} relaunches the JVM with the vector module when needed
 * ({@link slice.train.Relaunch}), {@link slice.train.Cli} parses the command line and turns every user error into one
 * line on stderr and exit code 2.
 *
 * <h2>How {@code train} turns a folder of faces into a recogniser</h2>
 * <pre>{@code
 * Dataset.scan(dir) → Split.of(...)                       stable, stratified train / validation / test
 * FaceModel.build(spec, cut, fineTuneFrom, head, K, seed) one set of layers, three graphs:
 *     full       image → logits                          (predict, evaluate)
 *     extractor  image → cached layer, frozen             (FeatureCache: once per image and augmented copy)
 *     trainable  cached layer → logits                    (Trainer: Adam/SGD, cosine LR, early stopping, checkpoints)
 * UnknownScore.fit(training embeddings)                  per-person centroids; score = top probability x cosine
 * UnknownThreshold.calibrate(validation scores)          the 'unknown' answer of predict
 * SavedModel.save(model.safetensors + model.json), Report.write(metrics.json, report.md, curves.png, confusion.png)
 * }</pre>
 * Every file is written atomically, and a run killed at any moment continues from its last finished epoch when
 * started again, to the same final model ({@link slice.train.Checkpoint}).
 *
 * <p>Image decoding, preprocessing, the split, augmentation and the feature cache are in {@link slice.train.data}.
 */
package slice.train;
