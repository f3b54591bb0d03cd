/**
 * The vector kernels: the only package that touches {@code jdk.incubator.vector}. Each class implements an interface
 * of {@code slice.engine.kernels} and computes what its scalar twin there computes; it is loaded by name through
 * {@link slice.engine.Simd#load}, so nothing outside this package links against the incubator module. The species is
 * the platform's preferred one ({@link slice.engine.simd.VectorInfo#F}): 512 bits on AVX-512, 128 bits on NEON.
 */
package slice.engine.simd;
