/**
 * Getting weights into and out of Slice's networks.
 *
 * <pre>{@code
 * // Keras ImageNet weights: download once into ~/.cache/slice/keras (or $SLICE_CACHE), resumable, checksummed
 * RemoteFile file = KerasApplications.forModel("mobilenetv2", 0.5, 224, false);
 * Path h5 = new Downloader().fetch(file, (done, total) -> bar.stepTo(done));
 *
 * // Keras .h5 (weights-only or whole model) into any graph, a cut backbone included
 * KerasImport.Report report = KerasImport.load(h5, backbone);       // by number, by name or in file order
 *
 * // our fine-tuned models: face.safetensors + face.json
 * SavedModel.save(Path.of("face.safetensors"), net, new ModelCard("mobilenetv2", 0.5, 224, "out_relu",
 *         classNames, "RGB, x / 127.5 - 1.0", Map.of("epochs", 20)));
 * ModelCard card = SavedModel.readCard(path);                        // what to build
 * SavedModel.load(path, builtNet);                                   // every tensor checked, then copied
 * }</pre>
 * Every failure — a file that does not fit the network, a truncated or edited file, no network — is a
 * {@link slice.weights.WeightsException} whose message is one line naming the file and the problem.
 */
package slice.weights;
