/**
 * The two backbones, built layer by layer from the engine's layers exactly as {@code keras.applications} builds
 * them, so that Keras weight files load into them and their activations match Keras'.
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.of("mobilenetv2", 0.5f, 224, false, 0);   // or "inceptionv3", 1.0f, 299, …
 * Graph net = spec.build();                                              // input → pooled features (or logits)
 * Graph backbone = net.cutAt("block_13_expand_relu");                    // any Keras layer name
 * KerasImport.load(weightsFile, backbone);                               // module weights; a file may end at the cut
 * spec.preprocessing().apply(pixels, 0, pixels.length);                  // RGB 0..255 → x / 127.5 - 1
 * backbone.plan(batch);
 * Tensor features = backbone.forward(x, false);                          // NHWC; weights' NpyFile.write(out, features)
 * }</pre>
 * The top ({@code includeTop}) is a {@code predictions} Dense layer producing logits: Keras folds softmax into it,
 * we leave softmax to the loss and to prediction.
 */
package slice.models;
