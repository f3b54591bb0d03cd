/**
 * The layers, one Keras layer each: its forward formula and gradients in its Javadoc, its loops in a kernel of
 * {@link slice.engine.kernels} (vectorised in {@link slice.engine.simd}), its buffers in the {@link slice.engine.Node}
 * a graph gives it.
 *
 * <pre>
 * Conv2D, DepthwiseConv2D, Dense          GEMM and depthwise kernels; Conv2D and DepthwiseConv2D apply a frozen
 *                                         BatchNorm and ReLU after them in inference plans (Epilogue)
 * BatchNorm                               inference (moving statistics) and training (batch statistics) modes
 * ReLU (clipped), LeakyReLU, Dropout      elementwise
 * Add, Concatenate, ZeroPadding2D         residuals, Inception's branches, MobileNetV2's correct_pad
 * MaxPooling2D, AveragePooling2D,         pooling windows (TF 'same' padding: padded cells are not counted)
 * GlobalAveragePooling2D
 * </pre>
 */
package slice.engine.layers;
