/**
 * The layers, one Keras layer each: its forward formula and gradients in its Javadoc, its loops in a kernel of
 * {@link slice.engine.kernels} (vectorised in {@link slice.engine.simd}), its buffers in the {@link slice.engine.Node}
 * a graph gives it.
 *
 * <pre>
 * Conv2D, DepthwiseConv2D, Dense          GEMM, Winograd (3×3, 5×5, 1×7/7×1, 1×3/3×1), direct (RGB stems), depthwise
 *                                         kernels; Conv2D and DepthwiseConv2D apply a frozen BatchNorm or a Scale,
 *                                         and the ReLU, after them (Epilogue); a DepthwiseConv2D reads through the
 *                                         ZeroPadding2D before it
 * BatchNorm                               inference (moving statistics) and training (batch statistics) modes; applies
 *                                         the ReLU after it in any plan
 * Scale                                   a learnt per-channel affine map (a batch norm folded into its weights)
 * ReLU (clipped), LeakyReLU, Dropout      elementwise
 * Add, Concatenate, ZeroPadding2D,        residuals, Inception's branches, MobileNetV2's correct_pad, ResNet's
 * ChannelPadding                          shortcut widened with zero channels
 * MaxPooling2D, AveragePooling2D,         pooling windows (TF 'same' padding: padded cells are not counted)
 * GlobalAveragePooling2D
 * </pre>
 * A backward's {@code ∂L/∂x (+)= …} means: written by the first consumer of {@code x} to run, added by the others
 * ({@link slice.engine.Layer} states the contract).
 */
package slice.engine.layers;
