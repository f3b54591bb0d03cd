package slice.engine.kernels;

import slice.engine.Simd;

/**
 * The kernel instances of the engine, chosen once at start-up by {@link Simd#load}: the vector kernel of package
 * {@code slice.engine.simd} when the Vector API is active, else its scalar twin.
 */
public final class Kernels {
    private Kernels() { }

    public static final Gemm GEMM = Simd.load("VectorGemm", ScalarGemm::new);
    public static final BatchNormKernel BATCH_NORM = Simd.load("BatchNormVector", BatchNormScalar::new);
    public static final DepthwiseKernel DEPTHWISE = Simd.load("DepthwiseVector", DepthwiseScalar::new);
    public static final ReluKernel RELU = Simd.load("ReluVector", ReluScalar::new);
    public static final AddKernel ADD = Simd.load("AddVector", AddScalar::new);
    public static final PoolKernel POOL = Simd.load("PoolVector", PoolScalar::new);
    public static final WinogradKernel WINOGRAD = Simd.load("WinogradVector", WinogradScalar::new);
    public static final WinogradLineKernel WINOGRAD_LINE = Simd.load("WinogradLineVector", WinogradLineScalar::new);
    public static final Winograd5x5Kernel WINOGRAD_5X5 = Simd.load("Winograd5x5Vector", Winograd5x5Scalar::new);
    public static final DirectConvKernel DIRECT_CONV = Simd.load("DirectConvVector", DirectConvScalar::new);
}
