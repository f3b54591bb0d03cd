/**
 * The engine's inner loops as interfaces ({@link slice.engine.kernels.Gemm}, {@link slice.engine.kernels.DepthwiseKernel},
 * …), each with its scalar twin: the readable reference implementation whose Javadoc states the math, and the one
 * that runs when the Vector API is absent. {@link slice.engine.kernels.Kernels} holds the instances in use, vector
 * or scalar, chosen once at start-up. Everything here is plain Java; the vector kernels live in
 * {@code slice.engine.simd}.
 */
package slice.engine.kernels;
