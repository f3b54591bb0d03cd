package slice.engine.kernels;

import static slice.engine.kernels.Kernels.GEMM;

import slice.engine.Parallel;

/**
 * The forward pass the Winograd convolutions share ({@link WinogradConv}: 16 positions ξ, {@link WinogradLineConv}: 8 or 4,
 * {@link Winograd5x5Conv}: 36):
 * the kernel transform {@code U} (which a caller may keep while the weights stay), then blocks of tiles — input
 * transform {@code V}, one GEMM {@code M_ξ = V_ξ·U_ξ} per position, output transform — split over threads. Each
 * output depends only on its block and the GEMM's sums are fixed in order, so results are bit-identical for any thread
 * count.
 *
 * <p>Layouts: {@code U[ξ][c][o]} ({@code points·Cin·Cout} floats), and per block {@code V[ξ][tile][c]},
 * {@code M[ξ][tile][o]}, each plane {@code ξ} {@value #PLANE_SKEW} floats longer than its {@code block·Cin} or
 * {@code block·Cout} values. The kernel gradient ({@link #kernelGradient}) runs the same layouts the other way:
 * {@code V} and {@code Z[ξ][tile][o]} (the output gradient's transform, where M was) per block, {@code dU} where U was.
 */
final class WinogradBlocks {
    /**
     * Floats of one block's V and M together: 256 KB, a quarter of a Cortex-A72's L2. With InceptionV3's channel
     * counts the floor {@link #MIN_BLOCK_TILES} decides: 32 → 64 channels (16 GEMMs of depth 32) measured faster in
     * blocks of 64 tiles than of 80 (a budget of 512 KB) at both vector widths, 32 → 32 no slower than in blocks of 128.
     */
    private static final int BLOCK_FLOATS = 1 << 16;
    /**
     * Fewest tiles in a block, even when V and M then outgrow {@link #BLOCK_FLOATS}: eight row panels of the GEMM's
     * 8-row register tile (for 80 → 192 channels, blocks of 64 tiles measured faster than the 30 a 512 KB budget gave).
     */
    private static final int MIN_BLOCK_TILES = 64;
    /**
     * Floats between the planes ξ of V and M beyond their size: with a plane of a power of two bytes, the planes a
     * transform reads or writes together would fall into the same cache sets.
     */
    private static final int PLANE_SKEW = 16;
    /**
     * Tiles per block of {@link #kernelGradient}: its GEMMs sum over tiles into dU, which then stays in memory between
     * blocks, so a block is a whole k block of the GEMM (its {@code KC}), which reads and writes C once per k block.
     */
    private static final int GRADIENT_BLOCK_TILES = 256;
    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /** Writes {@code U} for input channels {@code [c0, c1)}. */
    interface KernelTransform {
        void run(int c0, int c1, float[] u);
    }

    /**
     * Writes {@code V} of tiles {@code [t0, t1)}, plane {@code ξ} at {@code off + ξ·vPlane} (tile {@code t}'s row
     * {@code t − t0} rows further).
     */
    interface InputTransform {
        void run(int t0, int t1, float[] v, int off, int vPlane);
    }

    /** Reads {@code M} of tiles {@code [t0, t1)} (plane {@code ξ} at {@code ξ·mPlane}) and writes their output pixels. */
    interface OutputTransform {
        void run(float[] m, int t0, int t1, int mPlane);
    }

    private WinogradBlocks() {}

    /**
     * Tiles per block for {@code points} positions: V and M of a block fill {@link #BLOCK_FLOATS}, in whole
     * {@link APanels#ROWS}-row panels of the GEMM (16 → 32 channels would give 85 tiles, whose last 5-row panel each
     * of the 16 GEMMs computes as a full one in a scratch tile and copies out).
     */
    static int blockTiles(int points, int cin, int cout) {
        return Math.max(MIN_BLOCK_TILES, BLOCK_FLOATS / (points * (cin + cout)) / APanels.ROWS * APanels.ROWS);
    }

    /**
     * Tiles per block of a forward pass over {@code tiles} tiles on {@code threads} threads, blocks of about
     * {@code block} tiles: on one thread {@code block}; on several, their count rounded up to a multiple of the
     * threads, each a whole number of the GEMM's {@link APanels#ROWS}-row panels. The threads take contiguous shares of
     * the blocks, so with a batch of one image (35 × 35 maps: 324 tiles, five blocks of 64 and one of 4; 17 × 17 maps
     * along a line: 153 tiles, two blocks of 64 and one of 25) the shares were uneven. On one thread the smaller blocks
     * were slower (56 tiles instead of 64 on a 35 × 35 map).
     */
    static int evenBlockTiles(int tiles, int block, int threads) {
        if (threads == 1) return block;
        int blocks = ((tiles + block - 1) / block + threads - 1) / threads * threads;
        int even = (tiles + blocks - 1) / blocks;
        return (even + APanels.ROWS - 1) / APanels.ROWS * APanels.ROWS;
    }

    /** Writes {@code U} for all {@code cin} input channels, split over threads. */
    static void transformKernel(int cin, KernelTransform kernel, float[] u) {
        Parallel.forRange(cin, Math.max(1, cin / Parallel.threads()), (c0, c1) -> kernel.run(c0, c1, u));
    }

    /** This thread's buffer for a {@code U} of {@code size} floats (the one {@link #kernelGradient} uses for dU). */
    static float[] kernelBuffer(int size) {
        return buffer(0, size);
    }

    /**
     * Runs {@code tiles} tiles of a convolution with {@code points} positions through its input transform, the GEMMs
     * with {@code u} (the kernel's transform, {@link #transformKernel}) and its output transform.
     */
    static void forward(int points, int cin, int cout, int tiles, float[] u, InputTransform input, OutputTransform output) {
        int block = evenBlockTiles(tiles, blockTiles(points, cin, cout), Parallel.available()), blocks = (tiles + block - 1) / block;
        Parallel.forRange(blocks, (b0, b1) -> {
            int vPlane = block * cin + PLANE_SKEW, mPlane = block * cout + PLANE_SKEW;
            float[] v = buffer(1, points * vPlane), m = buffer(2, points * mPlane);
            for (int b = b0; b < b1; b++) {
                int t0 = b * block, t1 = Math.min(tiles, t0 + block);
                input.run(t0, t1, v, 0, vPlane);
                for (int xi = 0; xi < points; xi++) {
                    GEMM.gemm(false, false, t1 - t0, cout, cin, v, xi * vPlane, cin, u, xi * cin * cout, cout,
                            m, xi * mPlane, cout, false);
                }
                output.run(m, t0, t1, mPlane);
            }
        });
    }

    /**
     * The kernel gradient of a convolution with {@code points} positions over {@code tiles} tiles: block by block
     * of {@value #GRADIENT_BLOCK_TILES} tiles, the input transform {@code V} and the output gradient's transform
     * {@code Z}, the block's tiles split over threads (each thread both transforms of its tiles: side by side, the
     * two would leave a thread waiting whenever Cin ≠ Cout), then per position {@code dU_ξ (+)= V_ξᵀ·Z_ξ}, a GEMM over the
     * block's tiles, the positions shared out over threads (each GEMM on one thread: no barrier per position, and the
     * sums run over the tiles in order, for any thread count); at the end {@code inverse} maps {@code dU[ξ][c][o]} (at {@code ξ·Cin·Cout + c·Cout + o}) to the
     * kernel's gradient, input channels split over threads.
     */
    static void kernelGradient(int points, int cin, int cout, int tiles, InputTransform input, InputTransform gradient,
            KernelTransform inverse) {
        float[] du = buffer(0, points * cin * cout);
        int block = Math.min(tiles, GRADIENT_BLOCK_TILES), vPlane = block * cin + PLANE_SKEW, zPlane = block * cout + PLANE_SKEW;
        float[] v = buffer(1, points * vPlane), z = buffer(2, points * zPlane);
        for (int t0 = 0; t0 < tiles; t0 += block) {
            int from = t0, to = Math.min(tiles, t0 + block);
            Parallel.forRange(to - from, (s0, s1) -> {
                input.run(from + s0, from + s1, v, s0 * cin, vPlane);
                gradient.run(from + s0, from + s1, z, s0 * cout, zPlane);
            });
            Parallel.forRange(points, (x0, x1) -> { // a share of the planes per thread; each GEMM then runs on its own
                for (int xi = x0; xi < x1; xi++) {
                    GEMM.gemm(true, false, cin, cout, to - from, v, xi * vPlane, cin, z, xi * zPlane, cout,
                            du, xi * cin * cout, cout, from > 0);
                }
            });
        }
        Parallel.forRange(cin, Math.max(1, cin / Parallel.threads()), (c0, c1) -> inverse.run(c0, c1, du));
    }

    /** This thread's buffer {@code which} (0: U, 1: V, 2: M), grown to at least {@code size} floats. */
    private static float[] buffer(int which, int size) {
        float[][] held = BUFFERS.get();
        if (held[which].length < size) held[which] = new float[size];
        return held[which];
    }
}
