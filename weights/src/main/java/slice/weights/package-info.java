/**
 * Getting weights into and out of Slice's networks.
 *
 * <pre>{@code
 * // Keras ImageNet weights: download once into ~/.cache/slice/keras (or $SLICE_CACHE), resumable, checksummed
 * RemoteFile file = KerasApplications.forModel(Architecture.MOBILENET_V2, 0.5f, 224, false);
 * Path h5 = new Downloader().fetch(file, (done, total) -> bar.stepTo(done));
 *
 * // Keras .h5 (weights-only or whole model) into any graph, a cut backbone included
 * KerasImport.Report report = KerasImport.load(h5, backbone);       // by number, by name or in file order
 *
 * // TensorFlow.js weights (the face-api.js models): manifest + shards, quantised or not, every size checked
 * Downloader faceApi = new Downloader(SliceCache.standard().faceApiWeights());
 * List<RemoteFile> files = FaceApiModels.files("tiny_face_detector_model");   // manifest, then shard
 * files.forEach(f -> faceApi.fetch(f, Downloader.Progress.NONE));
 * TfjsWeights tfjs = TfjsWeights.read(faceApi.location(files.get(0)));
 * Tensor filters = tfjs.tensor("conv0/filters", 3, 3, 3, 16);      // by name, shape checked
 * List<String> unused = tfjs.load(Map.of(kernelParam, "conv0/filters", biasParam, "conv0/bias"));
 *
 * // NumPy .npy files of float32 tensors, as np.save writes and np.load reads them
 * Tensor x = NpyFile.read(Path.of("input.npy"));
 * NpyFile.write(Path.of("features.npy"), features);
 *
 * // our fine-tuned models: face.safetensors + face.json
 * SavedModel.save(Path.of("face.safetensors"), net, new ModelCard(Architecture.MOBILENET_V2, 0.5f, 224, "out_relu",
 *         classNames, spec.preprocessing(), Map.of("epochs", 20)));   // written "RGB, x / 127.5 - 1.0"
 * ModelCard card = SavedModel.readCard(path);                        // what to build
 * SavedModel.load(path, builtNet);                                   // every tensor checked, then copied
 * }</pre>
 * Every failure — a file that does not fit the network, a truncated or edited file, no network — is a
 * {@link slice.weights.WeightsException} whose message is one line naming the file and the problem.
 *
 * <p>{@code slice.weights.io} holds what writing files needs beyond tensors, for every module above this one:
 * atomic writes ({@link slice.weights.io.AtomicFiles}) and the layout of Slice's cache folder
 * ({@link slice.weights.io.SliceCache}).
 */
package slice.weights;
