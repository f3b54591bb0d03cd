package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import slice.engine.Parallel;
import slice.engine.kernels.APanels;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.Gemm;
import slice.engine.kernels.RowSource;

/**
 * {@link Gemm} in the BLIS/XNNPACK style: packed panels and a register-blocked broadcast-FMA micro-kernel.
 *
 * <h2>How it maps onto lanes</h2>
 * The micro-kernel owns an {@code MR × NR} tile of C in registers, {@code MR = 8} rows by {@code NR = 2·L} columns
 * (L = float lanes: 4 on NEON, 16 at AVX-512), that is 16 vector accumulators — enough independent FMA chains to
 * hide the FMA latency at both widths, and with the two B vectors and one broadcast 19 of the 32 vector registers of
 * AArch64 and AVX-512 (8 rows were faster than 6 at both widths). Per step {@code p} of the k loop
 * it loads two vectors {@code B(p, j..j+2L)} and, for each of the 8 rows, broadcasts one scalar {@code A(i,p)} and
 * issues two FMAs: an outer-product update with no reduction across lanes, so every element keeps the plain fma
 * chain {@link Gemm} specifies.
 *
 * <h2>Wide tiles</h2>
 * A product with a stored A (not packed by an {@link APanels}) and no map cuts its columns into panels of
 * {@code WIDE = 3L} columns where that leaves no lone L-wide panel ({@link #panelWidth}): an 8 × 3L tile, 24
 * accumulators, issues one broadcast per three FMAs instead of two, and its 24 accumulators, three B vectors and the
 * broadcast still fit in 32 vector registers. Each element keeps the same fma chain. The wide kernels have no map:
 * with the map's branch of stores in them, C1 ran out of virtual registers compiling them, and a kernel could then
 * stay at C1's tier 2, not vectorised, for good (JDK 17); a map applied to the stored tile afterwards was slower than
 * the 2L tiles, which map in registers.
 *
 * <h2>Blocking</h2>
 * Loops (outermost first): columns in blocks of {@code NC}; for a deep product with a large C, rows in spans (below);
 * k in blocks of {@code KC} (at 512 bits see {@code kBlock}), packing {@code B[KC × NC]} into {@code NR}-wide column
 * panels (so one micro-panel, {@code KC × NR}, stays in L1);
 * rows in blocks of {@code MC}, packing {@code A[MC × KC]} into {@code MR}-tall row panels (L2); then micro-tiles.
 * Between k blocks the partial sums live in C: the micro-kernel loads its tile at entry (or starts at zero) and
 * stores it at exit. A block of C far larger than L2 (a 1×1 convolution's 9248 × 192 at batch 32) would so be
 * streamed from memory once per k block; such a product goes in row spans of whole row blocks instead, each span
 * through all k blocks before the next, B packed once for all of them ({@code rowSpan}): each element's fma chain is
 * unchanged.
 * Packing also resolves the transposes, so the micro-kernel sees one layout. An operand is read in place where that
 * measured faster (see {@code block}): a transposed A, as in the weight gradient {@code Xᵀ·dY} (the MR values of a
 * step p are adjacent); an untransposed A when few column panels would reuse its packing (a narrow 1×1
 * convolution: 24 or 96 output channels); B when few rows of C reuse it.
 *
 * <h2>One kernel per layout of A</h2>
 * The micro-kernel is written once per way it addresses A, identical otherwise: packed ({@code a[ao + r + p·MR]}),
 * a transposed A in place ({@code a[ao + r + p·lda]}), an untransposed A in place ({@code a[ao + r·lda + p]}), and
 * the packer's windows read in place ({@code a[at[r] + p]}, 8 × 2L only). C2
 * removes the bounds checks of a loop's array accesses only when the index steps by a constant, and compiles a
 * constant row offset into the address: one kernel with both strides as parameters kept every check, the packed
 * kernel measured slower at 128 bits with a stride parameter than with its constant one, and the untransposed A
 * slower at 512 bits through the windows' eight row starts ({@code at[r] = ao + r·lda}) than with its stride.
 * On the last k block a kernel applies the {@link ColumnMap}, if any, to the finished tile in registers
 * right before that store: {@code c = min(max(fma(c, scale[j..], shift[j..]), lo), hi)}, one vector of
 * {@code scale}/{@code shift} per column vector of the tile, so C is written once, already mapped.
 *
 * <h2>The tile's stores</h2>
 * The 8 × 2L kernels map and store their tile one row per iteration of a loop, the accumulators of the rows below
 * shifted up a row after each (register moves), so that C2 parses the map's Vector API calls once, not once per
 * accumulator. Written out per accumulator (64 calls after the FMA loop), the compiled method went past C2's inlining
 * budget: its last calls were inlined late, with receivers of no exact type, and in a process whose
 * {@code VectorOperators} profile had recorded type-check traps (InceptionV3's fine-tuning step) C2 could not make
 * the last mapped stores' species constant and left them as calls on boxed vectors, allocated on every tile. The
 * unmapped stores stay written out: routing them through the loop made the plain products slower at 512 bits, and
 * mapping the stored tile in a second pass over it ({@link #mapRows}) made the mapped ones slower. Each element's
 * arithmetic is unchanged.
 *
 * <h2>Edges</h2>
 * Packed panels are zero-padded to full width: a last column panel of at most L columns is only one vector wide
 * (an 8×L kernel), and a tile cut by the edge of C is computed into a small scratch tile and copied row by row,
 * so no masked load or store ever runs; the map is applied to the elements as they are copied out (whole vectors,
 * then a scalar tail), so it never reads {@code scale} or {@code shift} past column n.
 *
 * <h2>Few rows</h2>
 * With fewer rows than MR (a dense layer at batch 1: m = 1, n = 1000, k = 1280) and B not transposed, a micro-tile
 * would compute MR rows for m and read B a column panel at a time, a new page per step p. Instead ({@code fewRows})
 * B streams through once, row by row, and the m rows of C are the accumulators, updated a vector at a time:
 * {@code C(i, j..j+L) = fma(broadcast(A(i,p)), B(p, j..j+L), C(i, j..j+L))}, 8 rows of B per load and store of C,
 * the map applied per column block at the end; the product becomes bound by the bandwidth that streams B. The same
 * path takes the last rows of a product whose row count leaves at most {@code TAIL_ROWS} in its last row panel
 * (49 = 6·8 + 1 output pixels of a 7 × 7 image), instead of a micro-tile computing MR rows for them.
 *
 * <h2>A packed by the caller</h2>
 * A second entry point takes A as an {@link APanels}, which packs its row panels (a convolution's im2col rows,
 * straight from the input); the blocking, thread split and kernels are the same. A panel the packer can show in place
 * ({@link APanels#run}: 8 rows, each a contiguous run of steps p) skips the packing when the block has one or two
 * column panels: {@code kernel8x2Rows} broadcasts {@code A(r, p) = a[at[r] + p]} run by run, leaving the partial
 * sums in C between runs, so each element is still the one fma chain.
 *
 * <h2>A 1×1 convolution's backward pair</h2>
 * {@code dW = Xᵀ·dY} and {@code dX = dY·Wᵀ} share dY; with few input channels both are bound by the memory traffic
 * of dY, so {@link #pointwiseBackward} computes them in one pass over it, chunk by chunk, each element still with
 * its separate product's fma chain.
 *
 * <h2>Threads</h2>
 * Work is split over disjoint blocks of C: row panels when A is the larger operand, column vectors otherwise (so
 * the operand that every thread reads whole is the smaller), but row panels again when a thread's columns would not
 * fill a 2L panel and each thread gets two row panels or more; whichever keeps the threads busy when the preferred
 * one would not (see {@code splitRows}); column ranges on the few-rows path. k is never split, so results are
 * bit-identical for any thread count. The operand every thread reads whole — B on a row split, A on a column split —
 * is packed once, its blocks split over the threads, into a buffer that all of them then read, when each thread would
 * otherwise pack all of it (not read in place; at most {@code SHARED_PACK_FLOATS}): the A of a 1×1 convolution on an
 * 8 × 8 image (64 rows, up to 2048 channels, split by columns), or the B of one on a 17 × 17 image (split by rows).
 * Packing buffers are per thread: the row and column blocks' allocated once, the shared one (per calling thread) and
 * the one of B packed for all k blocks (up to {@code DEEP_FLOATS}, 4 MB) grown when needed and kept.
 */
public final class VectorGemm implements Gemm {
    private static final int L = F.length();
    private static final int MR = 8;
    private static final int NR = 2 * L;
    /** Width of the wide column panels, 8 × 3L tiles (products with a stored A and no map; see "Wide tiles"). */
    private static final int WIDE = 3 * L;
    /**
     * k block (the largest; a stored-A product's is {@link #kBlock}). At 128-bit the B micro-panel ({@code KC × NR}
     * floats) and the A micro-panel ({@code KC × MR}) are 8 KB each, so both stay in a Cortex-A72's 32 KB L1.
     */
    private static final int KC = 256;
    /** k block of a stored-A product at 512 bits (see {@link #kBlock}). */
    private static final int KC_512 = 128;
    /** Row block: the packed A block ({@code MC × KC}, 192 × 256) is 192 KB, to stay in L2. */
    private static final int MC = 192;
    /** Column block: the packed B block ({@code KC × NC}, 256 × 512) is 512 KB, streamed once per row block. */
    private static final int NC = 512;
    /** Floats of C per row span of a deep product ({@link #rowSpan}: 512 KB, to stay in L2 across its k blocks). */
    private static final int SPAN_FLOATS = 1 << 17;
    /**
     * Largest block of C (4 MB) that a deep product streams once per k block rather than cutting it into row spans: a
     * 2.6 MB C (2048 × 320 × 1280, a 1×1 convolution on 8 × 8 images at batch 32) was slower in spans, a 7 MB one
     * (9248 × 192 × 768) faster, on a core with 2 MB of L2 (a Cortex-A72's is 1 MB, shared by its four cores: not
     * measured there).
     */
    private static final int STREAMED_C_FLOATS = 1 << 20;
    /** Largest column block of B packed for all its k blocks at once, for the row spans that read it (4 MB). */
    private static final int DEEP_FLOATS = 1 << 20;
    /** Floats of dY per chunk of the one-pass 1×1 backward (256 KB, to stay in L2 between its two products). */
    private static final int CHUNK_FLOATS = 1 << 16;
    /**
     * Widest input of a 1×1 backward run in one pass over dY: with more input channels each element of dY takes
     * enough multiply-adds that both products are compute-bound, and the two separate products were as fast.
     */
    private static final int ONE_PASS_CIN = 64;
    /**
     * Most rows of a block's last, partial row panel that go the few-rows way ({@link #fewRows}) rather than into a
     * micro-tile that would compute all MR rows for them: at batch 1, 7 × 7 = 49 output pixels are six full panels
     * and one of a single row, an eighth of the tiles' work.
     */
    private static final int TAIL_ROWS = 3;
    /** Multiply-adds below which a call stays on the calling thread. */
    private static final long PARALLEL_WORK = 1 << 20;
    /**
     * Widest block of C whose untransposed A is read in place instead of packed: packing a row panel costs about as
     * much as the FMAs of one column panel, so it pays only when several column panels reuse it.
     */
    private static final int DIRECT_A_COLUMNS = 4 * NR;
    /** Most rows of a block of C that read an untransposed B in place instead of packing it. */
    private static final int DIRECT_B_ROWS = 8 * MR;
    /**
     * Largest operand packed once for all the threads of a split product (1 MB, a Raspberry Pi 4's L2): a larger one
     * would be packed out to memory and read back, where each thread's block-sized packing stays in its cache.
     */
    private static final int SHARED_PACK_FLOATS = 1 << 18;
    /**
     * Fewest floats a thread packs of an operand packed whole (64 KB): a smaller operand is packed by the calling thread
     * alone, as each thread packed all of it before, without starting a parallel loop for it.
     */
    private static final int PACK_CHUNK_FLOATS = 1 << 14;
    /**
     * Few-rows path: rows of B per pass over a block of C (the loop body is written out for 8). Each vector of C is
     * loaded and stored once per pass, and the pass reads 8 rows of B at once: 8 concurrent streams were faster than
     * 4 on a cold m = 1 product.
     */
    private static final int UNROLL = 8;
    /**
     * Few-rows path: floats of C per column block (32 KB). Whole rows of B, one sequential stream, were faster than
     * narrower column blocks on a cold 1 × 1000 × 1280 product, so a block only bounds C for very wide products.
     */
    private static final int FEW_ROWS_FLOATS = 8192;

    /** Per-thread packing buffers: {@code a}, {@code b} and {@code tile} allocated once, {@code deep} grown. */
    private static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] tile = new float[MR * WIDE];
        /** A column block of B packed for all its k blocks ({@link #rowSpan}), grown when needed. */
        float[] deep = new float[0];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
    /** Per calling thread: the two dY chunks of a {@link #pointwiseBackward} whose dY is computed when read. */
    private static final ThreadLocal<float[]> CHUNKS = ThreadLocal.withInitial(() -> new float[0]);
    /** Per calling thread: an operand packed whole, read by every thread of a split product. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, ColumnMap map) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                if (!accumulate) Arrays.fill(c, ci, ci + n, 0f);
                if (map != null) for (int j = 0; j < n; j++) c[ci + j] = map.apply(c[ci + j], j);
            }
            return;
        }
        if (m < MR && !transB) {
            int vectors = (n + L - 1) / L, minVectors = (int) Math.min(vectors, Math.max(1, PARALLEL_WORK / ((long) m * k * L)));
            Parallel.forRange(vectors, minVectors, (from, to) -> fewRows(transA, m, k, a, aOff, lda, b, bOff, ldb,
                    c, cOff, ldc, accumulate, map, from * L, Math.min(to * L, n)));
            return;
        }
        int rowPanels = (m + MR - 1) / MR, colVectors = (n + L - 1) / L, threads = Parallel.available();
        if (threads == 1 || (long) m * n * k < PARALLEL_WORK) {
            block(transA, transB, k, a, aOff, lda, null, b, bOff, ldb, null, c, cOff, ldc, accumulate, map, 0, m, 0, n);
        } else if (splitRows(rowPanels, colVectors, threads, m >= n)) {
            // Each share packs op(B) whole unless read in place (few rows): then it is packed once, for all.
            boolean wide = map == null, share = (transB || rowPanels / threads * MR > DIRECT_B_ROWS)
                    && packedBSize(k, n, wide) <= SHARED_PACK_FLOATS;
            float[] bp = share ? packWholeB(transB, b, bOff, ldb, k, n, wide) : null;
            Parallel.forRange(rowPanels, (from, to) -> block(transA, transB, k, a, aOff, lda, null, b, bOff, ldb, bp,
                    c, cOff, ldc, accumulate, map, from * MR, Math.min(to * MR, m), 0, n));
        } else {
            // Each share packs op(A) whole unless read in place (transposed, or a narrow share): then it is packed once.
            int tiled = m - tailRows(m, transB);
            boolean share = !transA && colVectors / threads * L > DIRECT_A_COLUMNS
                    && (long) packedARows(tiled) * k <= SHARED_PACK_FLOATS;
            float[] ap = share ? packWholeA((i, rows, p, depth, dst, off) -> packA(false, a, aOff, lda, i, rows, p, depth,
                    dst, off, false), tiled, k, kBlock(k)) : null;
            Parallel.forRange(colVectors, (from, to) -> block(transA, transB, k, a, aOff, lda, ap, b, bOff, ldb, null,
                    c, cOff, ldc, accumulate, map, 0, m, from * L, Math.min(to * L, n)));
        }
    }

    /**
     * Whether to split C over threads by row panels (MR rows) rather than by column vectors (L columns; a share
     * that ends inside a 2L panel ends with an L-wide one). Rows when A is the larger operand (every thread reads the
     * other one whole) and there are enough row panels, or when a column share would be under 2L wide (its 8 × L
     * tiles issue a broadcast per FMA: the stem's dW, 27 × 32 over 401,408 pixels at batch 32, ran no faster on two
     * threads than on one) and every thread gets two row panels or more; unless that keeps the threads less than 90 %
     * busy and columns keep them busier — and the other way round.
     */
    private static boolean splitRows(int rowPanels, int colVectors, int threads, boolean aLarger) {
        boolean rows = (aLarger && rowPanels >= threads) || (colVectors < 2 * threads && rowPanels >= 2 * threads)
                || colVectors < threads;
        double rowBusy = busy(rowPanels, threads), colBusy = busy(colVectors, threads);
        return rows ? !(rowBusy < 0.9 && colBusy > rowBusy) : colBusy < 0.9 && rowBusy > colBusy;
    }

    /** The fraction of {@code threads} kept busy by {@code panels} equal panels split into contiguous shares. */
    private static double busy(int panels, int threads) {
        return (double) panels / (threads * ((panels + threads - 1) / threads));
    }

    /**
     * Both products of a 1×1 convolution's backward pass. With few input channels ({@code cin ≤ ONE_PASS_CIN}) they
     * are memory-bound and share dY, the larger operand, so they run in one pass over it, a chunk of
     * {@code chunkRows(cout)} rows at a time: the chunk that {@code dX = dY·Wᵀ} reads is still in L2 when
     * {@code dW = Xᵀ·dY} reads it. Threads then split dW by row panels or column vectors ({@link #splitRows}), each
     * walking all chunks in order, and each chunk's rows of dX. dW is computed as {@code dWᵀ = dYᵀ·X} (then
     * transposed) when that orientation wastes less of the micro-tiles ({@link #tileCost}; 144 → 24 channels at
     * 512 bits: 24 columns fill 3/4 of a 2L panel, 144 fill 4½ panels). Every element of either product is computed
     * by one thread as the fma chain of the separate product ({@code fma(a, b, s) = fma(b, a, s)}; dW's partial sums
     * stay in dW between chunks, as between k blocks), so the bits are those of the two separate calls, for any
     * thread count. Wᵀ, the B of dX, is packed once per call ({@link #packWholeB}).
     */
    @Override
    public void pointwiseBackward(int rows, int cin, int cout, float[] x, float[] dy, RowSource dyRows, float[] w,
                                  float[] dw, float[] dx, boolean addDx) {
        int chunk = chunkRows(cout);
        if (rows <= 0 || cin <= 0 || cout <= 0 || dw == null || dx == null || cin > ONE_PASS_CIN || rows < 2 * chunk) {
            if (dyRows != null) dyRows.fillAll(dy);
            if (dw != null) weightGradient(rows, cin, cout, x, dy, dw);
            if (dx != null) gemm(false, true, rows, cin, cout, dy, 0, cout, w, 0, cout, dx, 0, cin, addDx);
            return;
        }
        boolean transposed = tileCost(cout, cin) < tileCost(cin, cout);
        float[] g = transposed ? new float[cin * cout] : dw; // dW, or dWᵀ
        int gm = transposed ? cout : cin, gn = transposed ? cin : cout;
        float[] wt = packWholeB(true, w, 0, cout, cout, cin, true); // Wᵀ, dX's B, for its product without map
        int threads = (long) cin * cout * rows < PARALLEL_WORK ? 1 : Parallel.threads();
        int rowPanels = (gm + MR - 1) / MR, colVectors = (gn + L - 1) / L;
        boolean byRows = splitRows(rowPanels, colVectors, threads, gm >= gn);
        // thread s's share: dW rows [i0, i1) and columns [j0, j1) (or dWᵀ's), and rows share(from, to, s) of each chunk
        ChunkProducts products = (s, chunkDy, dyStart, from, to) -> {
            int i0 = byRows ? Math.min(gm, rowPanels * s / threads * MR) : 0;
            int i1 = byRows ? Math.min(gm, rowPanels * (s + 1) / threads * MR) : gm;
            int j0 = byRows ? 0 : Math.min(gn, colVectors * s / threads * L);
            int j1 = byRows ? gn : Math.min(gn, colVectors * (s + 1) / threads * L);
            if (i0 < i1 && j0 < j1) { // G = gaᵀ·gb over the chunk's rows: dW = Xᵀ·dY, or dWᵀ = dYᵀ·X
                if (transposed) {
                    block(true, false, to - from, chunkDy, dyStart, gm, null, x, from * gn, gn, null, g, 0, gn, from > 0, null, i0, i1, j0, j1);
                } else {
                    block(true, false, to - from, x, from * gm, gm, null, chunkDy, dyStart, gn, null, g, 0, gn, from > 0, null, i0, i1, j0, j1);
                }
            }
            int r0 = share(from, to, s, threads), r1 = share(from, to, s + 1, threads);
            block(false, true, cout, chunkDy, dyStart - from * cout, cout, null, w, 0, cout, wt, dx, 0, cin, addDx, null, r0, r1, 0, cin);
        };
        if (dyRows == null) {
            Parallel.forRange(threads, (s0, s1) -> {
                for (int from = 0; from < rows; from += chunk) {
                    for (int s = s0; s < s1; s++) products.run(s, dy, from * cout, from, Math.min(rows, from + chunk));
                }
            });
        } else {
            // dY computed chunk by chunk into two halves of a buffer that stays in cache: while the products read one
            // chunk, each thread computes its rows of the next (the rows of dX it computes next), then all meet
            float[] buffer = chunkBuffer(2 * chunk * cout);
            Parallel.forRange(threads, (s0, s1) -> {
                for (int s = s0; s < s1; s++) {
                    int r0 = share(0, chunk, s, threads), r1 = share(0, chunk, s + 1, threads);
                    dyRows.fill(r0, r1, buffer, r0 * cout);
                }
            });
            for (int c = 0; c * chunk < rows; c++) {
                int from = c * chunk, to = Math.min(rows, from + chunk), next = Math.min(rows, to + chunk);
                int start = c % 2 * chunk * cout, nextStart = chunk * cout - start;
                Parallel.forRange(threads, (s0, s1) -> {
                    for (int s = s0; s < s1; s++) {
                        products.run(s, buffer, start, from, to);
                        int r0 = share(to, next, s, threads), r1 = share(to, next, s + 1, threads);
                        if (r0 < r1) dyRows.fill(r0, r1, buffer, nextStart + (r0 - to) * cout);
                    }
                });
            }
        }
        if (transposed) {
            for (int i = 0; i < cin; i++) for (int j = 0; j < cout; j++) dw[i * cout + j] = g[j * cin + i];
        }
    }

    /** One thread's part of one chunk of {@link #pointwiseBackward}, dY's row {@code from} at {@code chunkDy[dyStart]}. */
    @FunctionalInterface
    private interface ChunkProducts {
        void run(int thread, float[] chunkDy, int dyStart, int from, int to);
    }

    /** The first row of thread {@code s}'s share of rows {@code [from, to)} split over {@code threads}. */
    private static int share(int from, int to, int s, int threads) {
        return from + (int) ((long) (to - from) * s / threads);
    }

    /** The calling thread's buffer for the dY chunks of {@link #pointwiseBackward}, grown to {@code size} floats. */
    private static float[] chunkBuffer(int size) {
        float[] b = CHUNKS.get();
        if (b.length < size) {
            b = new float[size];
            CHUNKS.set(b);
        }
        return b;
    }

    /** {@code dW = Xᵀ·dY}, computed as {@code dWᵀ = dYᵀ·X} and transposed when that fills the micro-tiles better. */
    private void weightGradient(int rows, int cin, int cout, float[] x, float[] dy, float[] dw) {
        if (tileCost(cout, cin) >= tileCost(cin, cout)) {
            gemm(true, false, cin, cout, rows, x, 0, cin, dy, 0, cout, dw, 0, cout, false);
            return;
        }
        float[] g = new float[cin * cout];
        gemm(true, false, cout, cin, rows, dy, 0, cout, x, 0, cin, g, 0, cin, false);
        for (int i = 0; i < cin; i++) for (int j = 0; j < cout; j++) dw[i * cout + j] = g[j * cin + i];
    }

    /**
     * Micro-tiles of an {@code m × n} product, each weighed by its use of the FMA units: an 8 × 2L tile (or one cut
     * by the edge of C, which computes as much) counts 1, an 8 × L tile (a last panel of at most L columns) 0.7 — it
     * issues one broadcast per FMA instead of one per two.
     */
    private static double tileCost(int m, int n) {
        int rowPanels = (m + MR - 1) / MR, rest = n % NR;
        return rowPanels * (n / NR + (rest == 0 ? 0 : rest > L ? 1 : 0.7));
    }

    /** Rows of dY per chunk of {@link #pointwiseBackward}: a multiple of KC near {@code CHUNK_FLOATS / cout}. */
    private static int chunkRows(int cout) {
        return KC * Math.max(1, CHUNK_FLOATS / (KC * cout));
    }

    /**
     * The product with A packed by {@code a} ({@link APanels}), B not transposed: the blocking, thread split and
     * micro-kernels of the stored-A product, with each A panel written by the packer where {@link #packA} would
     * copy it from memory, so each element keeps the same fma chain.
     */
    @Override
    public void gemm(int m, int n, int k, APanels a, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, ColumnMap map) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) { // no term: the stored-A product clears or keeps C and maps it, without reading A
            gemm(false, false, m, n, 0, b, 0, 0, b, bOff, ldb, c, cOff, ldc, accumulate, map);
            return;
        }
        int rowPanels = (m + MR - 1) / MR, colPanels = (n + NR - 1) / NR, threads = Parallel.available();
        if (threads == 1 || (long) m * n * k < PARALLEL_WORK) {
            packedBlock(a, null, k, b, bOff, ldb, c, cOff, ldc, accumulate, map, 0, m, 0, n);
        } else if ((m >= n && rowPanels >= threads) || colPanels < threads) {
            Parallel.forRange(rowPanels, (from, to) -> packedBlock(a, null, k, b, bOff, ldb, c, cOff, ldc, accumulate, map,
                    from * MR, Math.min(to * MR, m), 0, n));
        } else {
            // Each share packs all of A unless it reads panels in place (one or two column panels): else packed once.
            boolean share = colPanels / threads > 2 && (long) packedARows(m) * k <= SHARED_PACK_FLOATS;
            float[] ap = share ? packWholeA(a, m, k, KC) : null;
            Parallel.forRange(colPanels, (from, to) -> packedBlock(a, ap, k, b, bOff, ldb, c, cOff, ldc,
                    accumulate, map, 0, m, from * NR, Math.min(to * NR, n)));
        }
    }

    /**
     * {@link #block} for a packed A: C[i0:i1, j0:j1] (+)= A[i0:i1, :]·B[:, j0:j1] on the calling thread; with A packed
     * whole beforehand ({@code packedA}, {@link #packWholeA} in k blocks of KC, for a block of every row, {@code i0 = 0,
     * i1 = m}), or here (null).
     */
    private static void packedBlock(APanels a, float[] packedA, int k, float[] b, int bOff, int ldb, float[] c, int cOff,
                                    int ldc, boolean accumulate, ColumnMap map, int i0, int i1, int j0, int j1) {
        Workspace ws = WORKSPACE.get();
        boolean directB = i1 - i0 <= DIRECT_B_ROWS;
        boolean[] inPlace = new boolean[MC / MR];
        int[] at = new int[MR];
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc), span = rowSpan(i1 - i0, nc, k, KC, false);
            // several row spans read this column block's B, packed for all k blocks at once (see rowSpan)
            float[] deep = span < i1 - i0 ? packDeepB(ws, false, b, bOff, ldb, k, KC, jc, nc, false) : null;
            for (int is = i0; is < i1; is += span) {
                int ie = Math.min(i1, is + span);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    boolean fromZero = pc == 0 && !accumulate;
                    ColumnMap lastMap = pc + kc == k ? map : null;
                    float[] bp = deep != null ? deep : ws.b;
                    int bpOff = deep != null ? packedBAt(0, pc, k, nc, false) : 0;
                    if (bp == ws.b) packB(false, b, bOff, ldb, pc, kc, jc, nc, 0, nc, bp, 0, directB, false);
                    for (int ic = is; ic < ie; ic += MC) {
                        int mc = Math.min(MC, ie - ic);
                        if (packedA != null) {
                            tiles(kc, mc, nc, ws, packedA, packedAAt(ic, pc, kc, packedARows(i1)), bp, bpOff, false, false,
                                    packedA, 0, 0, directB, b, bOff + pc * ldb + jc, ldb, c, cOff + ic * ldc + jc, ldc,
                                    fromZero, lastMap, jc, false);
                            continue;
                        }
                        // Panels read in place need full tiles only: whole column panels, no partial row panel. They pay
                        // only with one or two column panels: beyond, a packed panel serves enough tiles to repay its packing.
                        boolean mayRead = a.source() != null && nc % NR == 0 && nc <= 2 * NR && mc % MR == 0, anyInPlace = false;
                        for (int ir = 0; ir < mc; ir += MR) { // the packer's panels are MR = APanels.ROWS rows tall
                            int mr = Math.min(MR, mc - ir), base = ir * kc;
                            inPlace[ir / MR] = mayRead && a.run(ic + ir, pc, pc + kc, at) > 0;
                            anyInPlace |= inPlace[ir / MR];
                            if (!inPlace[ir / MR]) packPanels(a, ic + ir, mr, pc, kc, ws.a, base);
                        }
                        if (anyInPlace) {
                            inPlaceTiles(a, ic, pc, kc, mc, nc, ws, inPlace, at, bp, bpOff, directB, b, bOff + pc * ldb + jc,
                                    ldb, c, cOff + ic * ldc + jc, ldc, fromZero, lastMap, jc);
                        } else {
                            tiles(kc, mc, nc, ws, ws.a, 0, bp, bpOff, false, false, ws.a, 0, 0, directB, b, bOff + pc * ldb + jc,
                                    ldb, c, cOff + ic * ldc + jc, ldc, fromZero, lastMap, jc, false);
                        }
                    }
                }
            }
        }
    }

    /**
     * C[i0:i1, j0:j1] (+)= op(A)[i0:i1, :]·op(B)[:, j0:j1] on the calling thread. An operand is read in place
     * instead of packed when that measured faster: a transposed A always (the MR values of one step p are adjacent in
     * memory; in place it was never slower), an untransposed A when the block is at most {@code DIRECT_A_COLUMNS}
     * wide, an untransposed B (a step p is two contiguous vectors) when at most {@code DIRECT_B_ROWS} rows read it
     * (packing B pays only when many row panels reuse it). Partial edge panels are always packed. The map goes with
     * the last k block. A last row panel of at most {@code TAIL_ROWS} rows, B not transposed, goes the few-rows way
     * ({@link #fewRows}) after the tiles, each of its elements with the same fma chain.
     *
     * <p>An operand packed whole beforehand, shared by the threads of a split product, is given instead of packed
     * here: {@code packedA} ({@link #packWholeA}, for a block of every row of C, {@code i0 = 0, i1 = m}) or
     * {@code packedB} ({@link #packWholeB}, for a block of every column, {@code j0 = 0, j1 = n}); null: none.
     */
    private static void block(boolean transA, boolean transB, int k, float[] a, int aOff, int lda, float[] packedA,
                              float[] b, int bOff, int ldb, float[] packedB, float[] c, int cOff, int ldc,
                              boolean accumulate, ColumnMap map, int i0, int i1, int j0, int j1) {
        int tail = tailRows(i1 - i0, transB);
        int tiled = i1 - tail; // rows [i0, tiled) go in micro-tiles, the tail the few-rows way
        boolean wide = map == null; // WIDE panels (see "Wide tiles"); a given packedB is packed so, for a product without map
        Workspace ws = WORKSPACE.get();
        boolean directA = packedA == null && (transA || j1 - j0 <= DIRECT_A_COLUMNS);
        boolean directB = packedB == null && !transB && tiled - i0 <= DIRECT_B_ROWS;
        int kb = kBlock(k), mp = packedARows(tiled), n = j1;
        for (int jc = j0; jc < j1 && i0 < tiled; jc += NC) {
            int nc = Math.min(NC, j1 - jc), span = rowSpan(tiled - i0, nc, k, kb, wide);
            // several row spans read this column block's B: packed (unless given) for all k blocks at once
            float[] deep = packedB == null && span < tiled - i0 ? packDeepB(ws, transB, b, bOff, ldb, k, kb, jc, nc, wide) : null;
            for (int is = i0; is < tiled; is += span) {
                int ie = Math.min(tiled, is + span);
                for (int pc = 0; pc < k; pc += kb) {
                    int kc = Math.min(kb, k - pc);
                    boolean fromZero = pc == 0 && !accumulate;
                    ColumnMap lastMap = pc + kc == k ? map : null;
                    float[] bp = packedB != null ? packedB : deep != null ? deep : ws.b;
                    int bpOff = packedB != null ? packedBAt(jc, pc, k, n, wide) : deep != null ? packedBAt(0, pc, k, nc, wide) : 0;
                    if (bp == ws.b) packB(transB, b, bOff, ldb, pc, kc, jc, nc, 0, nc, bp, 0, directB, wide);
                    for (int ic = is; ic < ie; ic += MC) {
                        int mc = Math.min(MC, ie - ic);
                        float[] ap = packedA == null ? ws.a : packedA;
                        int apOff = packedA == null ? 0 : packedAAt(ic, pc, kc, mp);
                        if (packedA == null) packA(transA, a, aOff, lda, ic, mc, pc, kc, ap, 0, directA);
                        int aBase = transA ? aOff + pc * lda + ic : aOff + ic * lda + pc;
                        tiles(kc, mc, nc, ws, ap, apOff, bp, bpOff, directA, transA, a, aBase, lda,
                                directB, b, bOff + pc * ldb + jc, ldb, c, cOff + ic * ldc + jc, ldc, fromZero, lastMap, jc,
                                wide);
                    }
                }
            }
        }
        if (tail > 0) {
            fewRows(transA, tail, k, a, aOff + (transA ? tiled : tiled * lda), lda, b, bOff, ldb,
                    c, cOff + tiled * ldc, ldc, accumulate, map, j0, j1);
        }
    }

    /**
     * Rows of a block of {@code rows} rows that go the few-rows way after its micro-tiles ({@link #block}): the last
     * row panel's when it has at most {@code TAIL_ROWS}, B not transposed; else 0.
     */
    private static int tailRows(int rows, boolean transB) {
        return rows % MR <= TAIL_ROWS && !transB ? rows % MR : 0;
    }

    /**
     * Rows of C per row span of a column block of {@link #block} or {@link #packedBlock} ({@code rows} rows of
     * micro-tiles, the block {@code nc} wide, depth {@code k} in blocks of {@code kb}): all of them when k is one
     * block, the block's C is at most {@code STREAMED_C_FLOATS}, or its B packed for all k blocks would not fit in
     * {@code DEEP_FLOATS}; else whole row blocks (MC) of at most {@code SPAN_FLOATS} of C, at least one. Between k
     * blocks the partial sums are in C, so a block of C far larger than L2 would be streamed from memory once per k
     * block (a 1×1 convolution's 9248 × 192 × 768 at batch 32); span by span, that span's C stays in L2 across the k
     * blocks, B packed once for all of them.
     */
    private static int rowSpan(int rows, int nc, int k, int kb, boolean wide) {
        if (k <= kb || (long) rows * nc <= STREAMED_C_FLOATS || packedBSize(k, nc, wide) > DEEP_FLOATS) return rows;
        return Math.min(rows, Math.max(1, SPAN_FLOATS / nc / MC) * MC);
    }

    /**
     * The column block {@code jc .. jc + nc} of B packed for all its k blocks of {@code kb} into the workspace's
     * {@code deep} buffer (grown if needed), laid out as a B of {@code nc} columns packed whole ({@link #packedBAt});
     * returns the buffer.
     */
    private static float[] packDeepB(Workspace ws, boolean transB, float[] b, int bOff, int ldb, int k, int kb, int jc,
                                     int nc, boolean wide) {
        long size = packedBSize(k, nc, wide);
        if (ws.deep.length < size) ws.deep = new float[Math.toIntExact(size)];
        for (int pc = 0; pc < k; pc += kb) {
            packB(transB, b, bOff, ldb, pc, Math.min(kb, k - pc), jc, nc, 0, nc, ws.deep, packedBAt(0, pc, k, nc, wide),
                    false, wide);
        }
        return ws.deep;
    }

    /** Rows of A packed whole for {@code tiled} rows of micro-tiles: whole panels. */
    private static int packedARows(int tiled) {
        return (tiled + MR - 1) / MR * MR;
    }

    /**
     * Where A's rows {@code [ic, ic + MC)} and steps {@code [pc, pc + kc)} start in an A packed whole ({@code mp}
     * rows): k block after k block, each its row panels one after the other, as {@link #packA} writes a block.
     */
    private static int packedAAt(int ic, int pc, int kc, int mp) {
        return pc * mp + ic * kc;
    }

    /**
     * Where op(B)'s block of columns {@code [jc, jc + NC)} and steps {@code [pc, pc + kc)} starts in a B packed whole
     * ({@code k × n}): column block after column block (a full one packs NC columns exactly), each k block after k
     * block, as {@link #packB} writes a block. {@code packedBAt(last block, k, …)} is the size.
     */
    private static int packedBAt(int jc, int pc, int k, int n, boolean wide) {
        return jc * k + pc * packedWidth(Math.min(NC, n - jc), wide);
    }

    /** Floats of op(B) ({@code k × n}) packed whole. */
    private static long packedBSize(int k, int n, boolean wide) {
        int last = (n - 1) / NC * NC;
        return (long) last * k + (long) k * packedWidth(n - last, wide);
    }

    /** Columns of a block {@code nc} wide once packed: its panels' widths ({@link #panelWidth}), the last padded. */
    private static int packedWidth(int nc, boolean wide) {
        int jr = 0;
        while (jr < nc) jr += panelWidth(nc - jr, wide);
        return jr;
    }

    /**
     * Packs rows {@code [0, tiled)} of A ({@code tiled × k}, as {@code a} packs them, in whole panels) into the calling
     * thread's shared buffer ({@link #packedAAt}, k blocks of {@code kb}), in parts of a k block and a group of row
     * panels split over the threads, for the threads of a product split by columns to read.
     */
    private static float[] packWholeA(APanels a, int tiled, int k, int kb) {
        int kBlocks = (k + kb - 1) / kb, panels = (tiled + MR - 1) / MR, mp = panels * MR;
        int groups = Math.min(panels, Parallel.threads());
        float[] ap = sharedBuffer((long) mp * k);
        Parallel.forRange(kBlocks * groups, packParts((long) mp * k, kBlocks * groups), (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int pc = u / groups * kb, kc = Math.min(kb, k - pc), g = u % groups;
                int ic = panels * g / groups * MR, ie = Math.min(tiled, panels * (g + 1) / groups * MR);
                packPanels(a, ic, ie - ic, pc, kc, ap, packedAAt(ic, pc, kc, mp));
            }
        });
        return ap;
    }

    /**
     * Packs A's rows {@code [ic, ic + mc)} and steps {@code [pc, pc + kc)} as {@code a} packs them, as row panels at
     * {@code dst[off + ir·kc]} ({@link #packA}'s layout), a last partial panel zero-padded to MR rows.
     */
    private static void packPanels(APanels a, int ic, int mc, int pc, int kc, float[] dst, int off) {
        for (int ir = 0; ir < mc; ir += MR) { // the packer's panels are MR = APanels.ROWS rows tall
            int mr = Math.min(MR, mc - ir), base = off + ir * kc;
            a.pack(ic + ir, mr, pc, kc, dst, base);
            if (mr < MR) for (int p = 0; p < kc; p++) Arrays.fill(dst, base + p * MR + mr, base + (p + 1) * MR, 0f);
        }
    }

    /**
     * Packs op(B) ({@code k × n}) whole into the calling thread's shared buffer ({@link #packedBAt}), in parts of a
     * block and a group of its column panels split over the threads, for the threads of a product split by rows to read.
     */
    private static float[] packWholeB(boolean transB, float[] b, int bOff, int ldb, int k, int n, boolean wide) {
        int kb = kBlock(k), kBlocks = (k + kb - 1) / kb, groups = Parallel.threads();
        float[] bp = sharedBuffer(packedBSize(k, n, wide));
        int parts = (n + NC - 1) / NC * kBlocks * groups;
        Parallel.forRange(parts, packParts(packedBSize(k, n, wide), parts), (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int jc = u / (kBlocks * groups) * NC, pc = u / groups % kBlocks * kb, g = u % groups;
                int nc = Math.min(NC, n - jc), kc = Math.min(kb, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, nc * g / groups, nc * (g + 1) / groups,
                        bp, packedBAt(jc, pc, k, n, wide), false, wide);
            }
        });
        return bp;
    }

    /** The fewest of {@code parts} equal parts of an operand of {@code floats} floats that a thread packs at a time. */
    private static int packParts(long floats, int parts) {
        return (int) Math.max(1, Math.min(parts, ((long) PACK_CHUNK_FLOATS * parts + floats - 1) / floats));
    }

    /** The calling thread's buffer for an operand packed whole, grown to {@code size} floats. */
    private static float[] sharedBuffer(long size) {
        float[] b = PACKED.get();
        if (b.length < size) {
            b = new float[Math.toIntExact(size)];
            PACKED.set(b);
        }
        return b;
    }

    /**
     * The k block of a stored-A product of depth {@code k} ({@link #block}): KC, except at 512 bits, where a product
     * deeper than {@code 1.5 · KC_512} goes in blocks of KC_512. There a B micro-panel of KC steps is 32 or 48 KB
     * (2L or 3L wide), as much as the 48 KB L1 of the Intel core it was measured on; read in place, a step of B
     * touches a cache line more (its rows start anywhere in a line), and a 1×1 convolution's 49 × 960 × 160 product
     * was faster with 128 steps. A shallower product stays in one block: 144 cut as 128 + 16 was slower.
     */
    private static int kBlock(int k) {
        return L <= 8 || k <= KC_512 + KC_512 / 2 ? Math.min(k, KC) : KC_512;
    }

    /**
     * The few-rows path, C[0:m, j0:j1] (+)= op(A)·B[:, j0:j1] for m < MR and B not transposed, on the calling
     * thread: B is streamed row by row, and the m rows of C, a column block at a time, are the accumulators:
     * {@code C(i, j..j+L) = fma(broadcast(A(i,p)), B(p, j..j+L), C(i, j..j+L))} for p = 0, 1, … — each element's
     * chain in increasing p, as {@link Gemm} specifies. A micro-tile would waste {@code MR − m} of its MR rows and
     * read B a column panel at a time (a new page per step p); here B is read once, in order. Per pass of
     * {@code UNROLL} rows of B, a vector of C is loaded, takes UNROLL fmas and is stored; the last {@code k mod
     * UNROLL} rows go one at a time, and the last {@code (j1 − j0) mod L} columns in scalar. With B already in cache
     * the micro-kernel would be faster from m ≈ 4, but a layer's weights are rarely in cache when it runs, and with
     * B evicted this path is the faster one.
     */
    private static void fewRows(boolean transA, int m, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, ColumnMap map, int j0, int j1) {
        int rowStep = transA ? 1 : lda, pStep = transA ? lda : 1; // A(i,p) = a[aOff + i·rowStep + p·pStep]
        int width = Math.max(L, FEW_ROWS_FLOATS / m / L * L);
        for (int jb = j0; jb < j1; jb += width) {
            int je = Math.min(j1, jb + width), vecEnd = jb + (je - jb) / L * L;
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc + jb, cOff + i * ldc + je, 0f);
            int p = 0;
            for (; p + UNROLL <= k; p += UNROLL) {
                int b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
                int b4 = b3 + ldb, b5 = b4 + ldb, b6 = b5 + ldb, b7 = b6 + ldb;
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * ldc, ai = aOff + i * rowStep + p * pStep;
                    float x0 = a[ai], x1 = a[ai + pStep], x2 = a[ai + 2 * pStep], x3 = a[ai + 3 * pStep];
                    float x4 = a[ai + 4 * pStep], x5 = a[ai + 5 * pStep], x6 = a[ai + 6 * pStep], x7 = a[ai + 7 * pStep];
                    FloatVector v0 = FloatVector.broadcast(F, x0), v1 = FloatVector.broadcast(F, x1);
                    FloatVector v2 = FloatVector.broadcast(F, x2), v3 = FloatVector.broadcast(F, x3);
                    FloatVector v4 = FloatVector.broadcast(F, x4), v5 = FloatVector.broadcast(F, x5);
                    FloatVector v6 = FloatVector.broadcast(F, x6), v7 = FloatVector.broadcast(F, x7);
                    int j = jb;
                    for (; j < vecEnd; j += L) {
                        FloatVector s = FloatVector.fromArray(F, c, ci + j);
                        s = v0.fma(FloatVector.fromArray(F, b, b0 + j), s);
                        s = v1.fma(FloatVector.fromArray(F, b, b1 + j), s);
                        s = v2.fma(FloatVector.fromArray(F, b, b2 + j), s);
                        s = v3.fma(FloatVector.fromArray(F, b, b3 + j), s);
                        s = v4.fma(FloatVector.fromArray(F, b, b4 + j), s);
                        s = v5.fma(FloatVector.fromArray(F, b, b5 + j), s);
                        s = v6.fma(FloatVector.fromArray(F, b, b6 + j), s);
                        s = v7.fma(FloatVector.fromArray(F, b, b7 + j), s);
                        s.intoArray(c, ci + j);
                    }
                    for (; j < je; j++) {
                        float s = c[ci + j];
                        s = Math.fma(x0, b[b0 + j], s);
                        s = Math.fma(x1, b[b1 + j], s);
                        s = Math.fma(x2, b[b2 + j], s);
                        s = Math.fma(x3, b[b3 + j], s);
                        s = Math.fma(x4, b[b4 + j], s);
                        s = Math.fma(x5, b[b5 + j], s);
                        s = Math.fma(x6, b[b6 + j], s);
                        c[ci + j] = Math.fma(x7, b[b7 + j], s);
                    }
                }
            }
            for (; p < k; p++) {
                int bp = bOff + p * ldb;
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * ldc;
                    float x = a[aOff + i * rowStep + p * pStep];
                    FloatVector v = FloatVector.broadcast(F, x);
                    int j = jb;
                    for (; j < vecEnd; j += L) {
                        v.fma(FloatVector.fromArray(F, b, bp + j), FloatVector.fromArray(F, c, ci + j)).intoArray(c, ci + j);
                    }
                    for (; j < je; j++) c[ci + j] = Math.fma(x, b[bp + j], c[ci + j]);
                }
            }
            if (map != null) mapRows(c, cOff + jb, ldc, m, je - jb, c, cOff + jb, ldc, map, jb);
        }
    }

    /**
     * {@link #tiles} for a block where some row panels are read in place ({@code inPlace[ir / MR]}; the others are
     * packed in {@code ws.a}; B's block is packed at {@code bp[bpOff]} unless read in place) and every tile is full.
     * An in-place panel goes run by run ({@link APanels#run}): each
     * run updates the panel's tiles with {@link #kernel8x2Rows}, which leaves the partial sums in C for the next, so
     * each element is still one fma chain in increasing p; the map goes with the block's last run.
     */
    private static void inPlaceTiles(APanels a, int ic, int pc, int kc, int mc, int nc, Workspace ws, boolean[] inPlace,
                                     int[] at, float[] bp, int bpOff, boolean directB, float[] b, int bBase, int ldb,
                                     float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int jc) {
        float[] src = a.source(), bSrc = directB ? b : bp;
        int bStride = directB ? ldb : NR;
        for (int ir = 0; ir < mc; ir += MR) {
            int ct = co + ir * ldc;
            if (!inPlace[ir / MR]) {
                for (int jr = 0; jr < nc; jr += NR) {
                    int bo = directB ? bBase + jr : bpOff + jr * kc;
                    kernel8x2(kc, ws.a, ir * kc, bSrc, bo, bStride, c, ct + jr, ldc, fromZero, map, jc + jr);
                }
                continue;
            }
            for (int p = pc, end = pc + kc; p < end; ) {
                int len = a.run(ic + ir, p, end, at);
                boolean runFromZero = fromZero && p == pc;
                ColumnMap runMap = p + len == end ? map : null;
                for (int jr = 0; jr < nc; jr += NR) {
                    int bo = (directB ? bBase + jr : bpOff + jr * kc) + (p - pc) * bStride;
                    kernel8x2Rows(len, src, at, bSrc, bo, bStride, c, ct + jr, ldc, runFromZero, runMap, jc + jr);
                }
                p += len;
            }
        }
    }

    /**
     * {@link #kernel8x2} with each row of A read in place: {@code A(r, p) = a[at[r] + p]} for {@code p < kc}.
     */
    private static void kernel8x2Rows(int kc, float[] a, int[] at, float[] b, int bo, int bs,
                                      float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        int a0 = at[0], a1 = at[1], a2 = at[2], a3 = at[3], a4 = at[4], a5 = at[5], a6 = at[6], a7 = at[7];
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (fromZero) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(F);
        } else {
            c00 = FloatVector.fromArray(F, c, co);
            c01 = FloatVector.fromArray(F, c, co + L);
            c10 = FloatVector.fromArray(F, c, co + ldc);
            c11 = FloatVector.fromArray(F, c, co + ldc + L);
            c20 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[a6 + p]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[a7 + p]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (map == null) {
            c00.intoArray(c, co);
            c01.intoArray(c, co + L);
            c10.intoArray(c, co + ldc);
            c11.intoArray(c, co + ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
            c60.intoArray(c, co + 6 * ldc);
            c61.intoArray(c, co + 6 * ldc + L);
            c70.intoArray(c, co + 7 * ldc);
            c71.intoArray(c, co + 7 * ldc + L);
        } else { // one row mapped and stored per iteration, the rows below shifted up: see "The tile's stores"
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s0 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j);
            FloatVector s1 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j + L);
            FloatVector t0 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j);
            FloatVector t1 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j + L);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            for (int r = 0; r < MR; r++, co += ldc) {
                c00.fma(s0, t0).max(lo).min(hi).intoArray(c, co);
                c01.fma(s1, t1).max(lo).min(hi).intoArray(c, co + L);
                c00 = c10; c01 = c11; c10 = c20; c11 = c21; c20 = c30; c21 = c31; c30 = c40; c31 = c41;
                c40 = c50; c41 = c51; c50 = c60; c51 = c61; c60 = c70; c61 = c71;
            }
        }
    }

    /**
     * Width of the packed column panel that starts {@code remaining} columns before the block's end: WIDE when
     * {@code wide} and more than 2L columns remain, unless a WIDE panel would leave 1 to L columns (4L columns go in two
     * 2L panels, not 3L + L); else 2L, or L when at most L columns remain.
     */
    private static int panelWidth(int remaining, boolean wide) {
        return wide && remaining > NR && !(remaining > WIDE && remaining - WIDE <= L) ? WIDE : remaining > L ? NR : L;
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] as column panels: panel at jr holds {@code bp[bpOff + jr·kc + p·width + j]},
     * zero-padded to its width ({@link #panelWidth}: with {@code wide}, WIDE panels where they fit); only the panels
     * that start in columns {@code [from, to)} of the block. With {@code edgeOnly}, full panels are skipped (they are
     * read in place).
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, int from, int to,
                              float[] bp, int bpOff, boolean edgeOnly, boolean wide) {
        for (int jr = 0, width; jr < nc; jr += width) {
            width = panelWidth(nc - jr, wide);
            int nr = Math.min(width, nc - jr), base = bpOff + jr * kc;
            if (jr < from || jr >= to || edgeOnly && nr == width) continue;
            if (transB) {
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (jc + jr + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) bp[base + p * width + j] = b[src + p];
                }
            } else {
                for (int p = 0; p < kc; p++) System.arraycopy(b, bOff + (pc + p) * ldb + jc + jr, bp, base + p * width, nr);
            }
            if (nr < width) {
                for (int p = 0; p < kc; p++) Arrays.fill(bp, base + p * width + nr, base + (p + 1) * width, 0f);
            }
        }
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] as row panels: panel at ir holds {@code ap[apOff + ir·kc + p·MR + r]},
     * zero-padded to MR rows. With {@code edgeOnly}, full panels are skipped (they are read in place).
     */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] ap,
                              int apOff, boolean edgeOnly) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir), base = apOff + ir * kc;
            if (edgeOnly && mr == MR) continue;
            if (transA) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + ir, dst = base + p * MR;
                    for (int r = 0; r < mr; r++) ap[dst + r] = a[src + r];
                }
            } else {
                for (int r = 0; r < mr; r++) {
                    int src = aOff + (ic + ir + r) * lda + pc;
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[src + p];
                }
            }
            if (mr < MR) {
                for (int p = 0; p < kc; p++) Arrays.fill(ap, base + p * MR + mr, base + (p + 1) * MR, 0f);
            }
        }
    }

    /**
     * Runs the micro-kernel over every tile of an {@code mc × nc} block of C starting at {@code c[co]}. Full panels of
     * a direct operand are read in place (transposed {@code A} block at {@code a[aBase]}, row stride {@code lda};
     * {@code B} block at {@code b[bBase]} with row stride {@code ldb}); the others come from the packed blocks
     * ({@code ap[apOff]} for A, {@code bp[bpOff]} for B). The block's first column is column {@code jc} of C (for the
     * map). {@code wide} must be the one B was packed with.
     */
    private static void tiles(int kc, int mc, int nc, Workspace ws, float[] ap, int apOff, float[] bp, int bpOff,
                              boolean directA, boolean transA, float[] a, int aBase, int lda, boolean directB, float[] b,
                              int bBase, int ldb, float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int jc,
                              boolean wide) {
        float[] tile = ws.tile;
        for (int jr = 0, width; jr < nc; jr += width) {
            width = panelWidth(nc - jr, wide);
            int nr = Math.min(width, nc - jr);
            boolean bInPlace = directB && nr == width;
            float[] bSrc = bInPlace ? b : bp;
            int bo = bInPlace ? bBase + jr : bpOff + jr * kc, bStride = bInPlace ? ldb : width;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir), ct = co + ir * ldc + jr;
                boolean aInPlace = directA && mr == MR;
                float[] aSrc = aInPlace ? a : ap;
                // A(r,p) = aSrc[ao + r·ars + p·aps]: packed, in place transposed, or in place as rows.
                int ao = aInPlace ? aBase + (transA ? ir : ir * lda) : apOff + ir * kc;
                int ars = aInPlace && !transA ? lda : 1, aps = !aInPlace ? MR : transA ? lda : 1;
                if (mr == MR && nr == width) {
                    kernel(width, kc, aSrc, ao, ars, aps, bSrc, bo, bStride, c, ct, ldc, fromZero, map, jc + jr);
                } else {
                    // Edge tile: compute a full tile in scratch, copy the valid mr × nr corner in and out.
                    if (!fromZero) {
                        for (int r = 0; r < mr; r++) System.arraycopy(c, ct + r * ldc, tile, r * width, nr);
                    }
                    kernel(width, kc, aSrc, ao, ars, aps, bSrc, bo, bStride, tile, 0, width, fromZero, null, 0);
                    if (map == null) {
                        for (int r = 0; r < mr; r++) System.arraycopy(tile, r * width, c, ct + r * ldc, nr);
                    } else {
                        mapRows(tile, 0, width, mr, nr, c, ct, ldc, map, jc + jr);
                    }
                }
            }
        }
    }

    /**
     * {@code dst ← map(src)} on an {@code mr × nr} block whose first column is column {@code j0} of C (source at
     * {@code src[so]}, row stride {@code sld}; destination at {@code dst[dOff]}, row stride {@code dld}; they may be
     * the same): whole vectors of L columns, then the last {@code nr mod L} columns in scalar, so it reads
     * {@code scale} and {@code shift} only below column {@code j0 + nr}.
     */
    private static void mapRows(float[] src, int so, int sld, int mr, int nr, float[] dst, int dOff, int dld, ColumnMap map, int j0) {
        float[] sc = map.scale(), sh = map.shift();
        FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
        for (int r = 0; r < mr; r++) {
            int si = so + r * sld, di = dOff + r * dld, j = 0;
            for (; j + L <= nr; j += L) {
                FloatVector s = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j0 + j);
                FloatVector t = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j0 + j);
                FloatVector.fromArray(F, src, si + j).fma(s, t).max(lo).min(hi).intoArray(dst, di + j);
            }
            for (; j < nr; j++) dst[di + j] = map.apply(src[si + j], j0 + j);
        }
    }

    /**
     * The micro-kernel for a panel {@code width} wide and {@code A(r,p) = a[ao + r·ars + p·aps]}: the packed layout
     * ({@code ars = 1, aps = MR}), a transposed A in place ({@code ars = 1}) or an untransposed one ({@code aps = 1}).
     * A WIDE panel comes without a map ({@link #block} packs WIDE panels only for a product without one).
     */
    private static void kernel(int width, int kc, float[] a, int ao, int ars, int aps, float[] b, int bo, int bs,
                               float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        if (ars == 1 && aps == MR) {
            if (width == WIDE) kernel8x3(kc, a, ao, b, bo, bs, c, co, ldc, fromZero);
            else if (width == NR) kernel8x2(kc, a, ao, b, bo, bs, c, co, ldc, fromZero, map, j);
            else kernel8x1(kc, a, ao, b, bo, bs, c, co, ldc, fromZero, map, j);
        } else if (ars == 1) {
            if (width == WIDE) kernel8x3Columns(kc, a, ao, aps, b, bo, bs, c, co, ldc, fromZero);
            else if (width == NR) kernel8x2Columns(kc, a, ao, aps, b, bo, bs, c, co, ldc, fromZero, map, j);
            else kernel8x1Columns(kc, a, ao, aps, b, bo, bs, c, co, ldc, fromZero, map, j);
        } else {
            if (width == WIDE) kernel8x3Rows(kc, a, ao, ars, b, bo, bs, c, co, ldc, fromZero);
            else if (width == NR) kernel8x2Rows(kc, a, ao, ars, b, bo, bs, c, co, ldc, fromZero, map, j);
            else kernel8x1Rows(kc, a, ao, ars, b, bo, bs, c, co, ldc, fromZero, map, j);
        }
    }

    /**
     * The 8 × 2L micro-kernel, 16 accumulators: {@code C(r, 0..2L) (+)= Σ_p A(r,p)·B(p, 0..2L)} with
     * a packed {@code A(r,p) = a[ao + r + p·MR]} and {@code B(p,j) = b[bo + p·bs + j]}; then, with a map, each element of
     * the tile is mapped with the parameters of its column of C (the tile starts at column {@code j}):
     * {@code c = min(max(fma(c, s, t), lo), hi)}. A map without affine step runs as {@code s = 1, t = −0}, since
     * {@code fma(c, 1, −0) = c} exactly (even for {@code c = ±0}). The mapped stores are a loop over the tile's rows,
     * see "The tile's stores" (a helper method taking the accumulators would box them where the JIT declines to inline
     * it, and mapping the accumulators in place before shared stores made the whole kernel much slower, C2, JDK 17).
     */
    private static void kernel8x2(int kc, float[] a, int ao, float[] b, int bo, int bs,
                                  float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (fromZero) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(F);
        } else {
            c00 = FloatVector.fromArray(F, c, co);
            c01 = FloatVector.fromArray(F, c, co + L);
            c10 = FloatVector.fromArray(F, c, co + ldc);
            c11 = FloatVector.fromArray(F, c, co + ldc + L);
            c20 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR, bi = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (map == null) {
            c00.intoArray(c, co);
            c01.intoArray(c, co + L);
            c10.intoArray(c, co + ldc);
            c11.intoArray(c, co + ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
            c60.intoArray(c, co + 6 * ldc);
            c61.intoArray(c, co + 6 * ldc + L);
            c70.intoArray(c, co + 7 * ldc);
            c71.intoArray(c, co + 7 * ldc + L);
        } else { // one row mapped and stored per iteration, the rows below shifted up: see "The tile's stores"
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s0 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j);
            FloatVector s1 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j + L);
            FloatVector t0 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j);
            FloatVector t1 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j + L);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            for (int r = 0; r < MR; r++, co += ldc) {
                c00.fma(s0, t0).max(lo).min(hi).intoArray(c, co);
                c01.fma(s1, t1).max(lo).min(hi).intoArray(c, co + L);
                c00 = c10; c01 = c11; c10 = c20; c11 = c21; c20 = c30; c21 = c31; c30 = c40; c31 = c41;
                c40 = c50; c41 = c51; c50 = c60; c51 = c61; c60 = c70; c61 = c71;
            }
        }
    }

    /** The 8 × L micro-kernel, for a last column panel of at most L columns; operands as in {@link #kernel8x2}. */
    private static void kernel8x1(int kc, float[] a, int ao, float[] b, int bo, int bs,
                                  float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (fromZero) {
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = FloatVector.zero(F);
        } else {
            c0 = FloatVector.fromArray(F, c, co);
            c1 = FloatVector.fromArray(F, c, co + ldc);
            c2 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c3 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c4 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c5 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c6 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c7 = FloatVector.fromArray(F, c, co + 7 * ldc);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bo + p * bs);
            c0 = FloatVector.broadcast(F, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[ai + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(F, a[ai + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(F, a[ai + 7]).fma(b0, c7);
        }
        if (map == null) {
            c0.intoArray(c, co);
            c1.intoArray(c, co + ldc);
            c2.intoArray(c, co + 2 * ldc);
            c3.intoArray(c, co + 3 * ldc);
            c4.intoArray(c, co + 4 * ldc);
            c5.intoArray(c, co + 5 * ldc);
            c6.intoArray(c, co + 6 * ldc);
            c7.intoArray(c, co + 7 * ldc);
        } else {
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j);
            FloatVector t = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            c0.fma(s, t).max(lo).min(hi).intoArray(c, co);
            c1.fma(s, t).max(lo).min(hi).intoArray(c, co + ldc);
            c2.fma(s, t).max(lo).min(hi).intoArray(c, co + 2 * ldc);
            c3.fma(s, t).max(lo).min(hi).intoArray(c, co + 3 * ldc);
            c4.fma(s, t).max(lo).min(hi).intoArray(c, co + 4 * ldc);
            c5.fma(s, t).max(lo).min(hi).intoArray(c, co + 5 * ldc);
            c6.fma(s, t).max(lo).min(hi).intoArray(c, co + 6 * ldc);
            c7.fma(s, t).max(lo).min(hi).intoArray(c, co + 7 * ldc);
        }
    }

    /**
     * {@link #kernel8x2} reading an untransposed A in place, {@code A(r,p) = a[ao + r·ars + p]}; a copy, see "One
     * kernel per layout of A".
     */
    private static void kernel8x2Rows(int kc, float[] a, int ao, int ars, float[] b, int bo, int bs,
                                      float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (fromZero) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(F);
        } else {
            c00 = FloatVector.fromArray(F, c, co);
            c01 = FloatVector.fromArray(F, c, co + L);
            c10 = FloatVector.fromArray(F, c, co + ldc);
            c11 = FloatVector.fromArray(F, c, co + ldc + L);
            c20 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p, bi = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + ars]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + 2 * ars]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + 3 * ars]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ai + 4 * ars]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ai + 5 * ars]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[ai + 6 * ars]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[ai + 7 * ars]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (map == null) {
            c00.intoArray(c, co);
            c01.intoArray(c, co + L);
            c10.intoArray(c, co + ldc);
            c11.intoArray(c, co + ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
            c60.intoArray(c, co + 6 * ldc);
            c61.intoArray(c, co + 6 * ldc + L);
            c70.intoArray(c, co + 7 * ldc);
            c71.intoArray(c, co + 7 * ldc + L);
        } else { // one row mapped and stored per iteration, the rows below shifted up: see "The tile's stores"
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s0 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j);
            FloatVector s1 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j + L);
            FloatVector t0 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j);
            FloatVector t1 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j + L);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            for (int r = 0; r < MR; r++, co += ldc) {
                c00.fma(s0, t0).max(lo).min(hi).intoArray(c, co);
                c01.fma(s1, t1).max(lo).min(hi).intoArray(c, co + L);
                c00 = c10; c01 = c11; c10 = c20; c11 = c21; c20 = c30; c21 = c31; c30 = c40; c31 = c41;
                c40 = c50; c41 = c51; c50 = c60; c51 = c61; c60 = c70; c61 = c71;
            }
        }
    }

    /** {@link #kernel8x1} reading an untransposed A in place, {@code A(r,p) = a[ao + r·ars + p]}. */
    private static void kernel8x1Rows(int kc, float[] a, int ao, int ars, float[] b, int bo, int bs,
                                      float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (fromZero) {
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = FloatVector.zero(F);
        } else {
            c0 = FloatVector.fromArray(F, c, co);
            c1 = FloatVector.fromArray(F, c, co + ldc);
            c2 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c3 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c4 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c5 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c6 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c7 = FloatVector.fromArray(F, c, co + 7 * ldc);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p;
            FloatVector b0 = FloatVector.fromArray(F, b, bo + p * bs);
            c0 = FloatVector.broadcast(F, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[ai + ars]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[ai + 2 * ars]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[ai + 3 * ars]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[ai + 4 * ars]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[ai + 5 * ars]).fma(b0, c5);
            c6 = FloatVector.broadcast(F, a[ai + 6 * ars]).fma(b0, c6);
            c7 = FloatVector.broadcast(F, a[ai + 7 * ars]).fma(b0, c7);
        }
        if (map == null) {
            c0.intoArray(c, co);
            c1.intoArray(c, co + ldc);
            c2.intoArray(c, co + 2 * ldc);
            c3.intoArray(c, co + 3 * ldc);
            c4.intoArray(c, co + 4 * ldc);
            c5.intoArray(c, co + 5 * ldc);
            c6.intoArray(c, co + 6 * ldc);
            c7.intoArray(c, co + 7 * ldc);
        } else {
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j);
            FloatVector t = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            c0.fma(s, t).max(lo).min(hi).intoArray(c, co);
            c1.fma(s, t).max(lo).min(hi).intoArray(c, co + ldc);
            c2.fma(s, t).max(lo).min(hi).intoArray(c, co + 2 * ldc);
            c3.fma(s, t).max(lo).min(hi).intoArray(c, co + 3 * ldc);
            c4.fma(s, t).max(lo).min(hi).intoArray(c, co + 4 * ldc);
            c5.fma(s, t).max(lo).min(hi).intoArray(c, co + 5 * ldc);
            c6.fma(s, t).max(lo).min(hi).intoArray(c, co + 6 * ldc);
            c7.fma(s, t).max(lo).min(hi).intoArray(c, co + 7 * ldc);
        }
    }

    /**
     * {@link #kernel8x2} reading a transposed A in place, {@code A(r,p) = a[ao + r + p·aps]} (the MR values of a step
     * p are adjacent); a copy, see "One kernel per layout of A".
     */
    private static void kernel8x2Columns(int kc, float[] a, int ao, int aps, float[] b, int bo, int bs,
                                         float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (fromZero) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(F);
        } else {
            c00 = FloatVector.fromArray(F, c, co);
            c01 = FloatVector.fromArray(F, c, co + L);
            c10 = FloatVector.fromArray(F, c, co + ldc);
            c11 = FloatVector.fromArray(F, c, co + ldc + L);
            c20 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * aps, bi = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (map == null) {
            c00.intoArray(c, co);
            c01.intoArray(c, co + L);
            c10.intoArray(c, co + ldc);
            c11.intoArray(c, co + ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
            c60.intoArray(c, co + 6 * ldc);
            c61.intoArray(c, co + 6 * ldc + L);
            c70.intoArray(c, co + 7 * ldc);
            c71.intoArray(c, co + 7 * ldc + L);
        } else { // one row mapped and stored per iteration, the rows below shifted up: see "The tile's stores"
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s0 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j);
            FloatVector s1 = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j + L);
            FloatVector t0 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j);
            FloatVector t1 = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j + L);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            for (int r = 0; r < MR; r++, co += ldc) {
                c00.fma(s0, t0).max(lo).min(hi).intoArray(c, co);
                c01.fma(s1, t1).max(lo).min(hi).intoArray(c, co + L);
                c00 = c10; c01 = c11; c10 = c20; c11 = c21; c20 = c30; c21 = c31; c30 = c40; c31 = c41;
                c40 = c50; c41 = c51; c50 = c60; c51 = c61; c60 = c70; c61 = c71;
            }
        }
    }

    /** {@link #kernel8x1} reading a transposed A in place, {@code A(r,p) = a[ao + r + p·aps]}. */
    private static void kernel8x1Columns(int kc, float[] a, int ao, int aps, float[] b, int bo, int bs,
                                         float[] c, int co, int ldc, boolean fromZero, ColumnMap map, int j) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (fromZero) {
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = FloatVector.zero(F);
        } else {
            c0 = FloatVector.fromArray(F, c, co);
            c1 = FloatVector.fromArray(F, c, co + ldc);
            c2 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c3 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c4 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c5 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c6 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c7 = FloatVector.fromArray(F, c, co + 7 * ldc);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * aps;
            FloatVector b0 = FloatVector.fromArray(F, b, bo + p * bs);
            c0 = FloatVector.broadcast(F, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[ai + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(F, a[ai + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(F, a[ai + 7]).fma(b0, c7);
        }
        if (map == null) {
            c0.intoArray(c, co);
            c1.intoArray(c, co + ldc);
            c2.intoArray(c, co + 2 * ldc);
            c3.intoArray(c, co + 3 * ldc);
            c4.intoArray(c, co + 4 * ldc);
            c5.intoArray(c, co + 5 * ldc);
            c6.intoArray(c, co + 6 * ldc);
            c7.intoArray(c, co + 7 * ldc);
        } else {
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s = sc == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, sc, j);
            FloatVector t = sh == null ? FloatVector.broadcast(F, -0f) : FloatVector.fromArray(F, sh, j);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            c0.fma(s, t).max(lo).min(hi).intoArray(c, co);
            c1.fma(s, t).max(lo).min(hi).intoArray(c, co + ldc);
            c2.fma(s, t).max(lo).min(hi).intoArray(c, co + 2 * ldc);
            c3.fma(s, t).max(lo).min(hi).intoArray(c, co + 3 * ldc);
            c4.fma(s, t).max(lo).min(hi).intoArray(c, co + 4 * ldc);
            c5.fma(s, t).max(lo).min(hi).intoArray(c, co + 5 * ldc);
            c6.fma(s, t).max(lo).min(hi).intoArray(c, co + 6 * ldc);
            c7.fma(s, t).max(lo).min(hi).intoArray(c, co + 7 * ldc);
        }
    }

    /**
     * {@link #kernel8x2} three vectors wide, 24 accumulators: {@code C(r, 0..3L) (+)= Σ_p A(r,p)·B(p, 0..3L)}, one
     * broadcast of {@code A(r,p)} per three FMAs instead of two (a panel of {@code WIDE} columns); no map.
     */
    private static void kernel8x3(int kc, float[] a, int ao, float[] b, int bo, int bs,
                                  float[] c, int co, int ldc, boolean fromZero) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32,
                c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        if (fromZero) {
            FloatVector zero = FloatVector.zero(F);
            c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = zero;
            c40 = c41 = c42 = c50 = c51 = c52 = c60 = c61 = c62 = c70 = c71 = c72 = zero;
        } else {
            c00 = FloatVector.fromArray(F, c, co);
            c01 = FloatVector.fromArray(F, c, co + L);
            c02 = FloatVector.fromArray(F, c, co + 2 * L);
            c10 = FloatVector.fromArray(F, c, co + ldc);
            c11 = FloatVector.fromArray(F, c, co + ldc + L);
            c12 = FloatVector.fromArray(F, c, co + ldc + 2 * L);
            c20 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
            c22 = FloatVector.fromArray(F, c, co + 2 * ldc + 2 * L);
            c30 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
            c32 = FloatVector.fromArray(F, c, co + 3 * ldc + 2 * L);
            c40 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
            c42 = FloatVector.fromArray(F, c, co + 4 * ldc + 2 * L);
            c50 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
            c52 = FloatVector.fromArray(F, c, co + 5 * ldc + 2 * L);
            c60 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
            c62 = FloatVector.fromArray(F, c, co + 6 * ldc + 2 * L);
            c70 = FloatVector.fromArray(F, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
            c72 = FloatVector.fromArray(F, c, co + 7 * ldc + 2 * L);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR, bi = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, b, bi + 2 * L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(F, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(F, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(F, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(F, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(F, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c12.intoArray(c, co + ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c32.intoArray(c, co + 3 * ldc + 2 * L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c42.intoArray(c, co + 4 * ldc + 2 * L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c52.intoArray(c, co + 5 * ldc + 2 * L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c62.intoArray(c, co + 6 * ldc + 2 * L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
        c72.intoArray(c, co + 7 * ldc + 2 * L);
    }

    /** {@link #kernel8x3} reading a transposed A in place, {@code A(r,p) = a[ao + r + p·aps]}. */
    private static void kernel8x3Columns(int kc, float[] a, int ao, int aps, float[] b, int bo, int bs,
                                         float[] c, int co, int ldc, boolean fromZero) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32,
                c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        if (fromZero) {
            FloatVector zero = FloatVector.zero(F);
            c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = zero;
            c40 = c41 = c42 = c50 = c51 = c52 = c60 = c61 = c62 = c70 = c71 = c72 = zero;
        } else {
            c00 = FloatVector.fromArray(F, c, co);
            c01 = FloatVector.fromArray(F, c, co + L);
            c02 = FloatVector.fromArray(F, c, co + 2 * L);
            c10 = FloatVector.fromArray(F, c, co + ldc);
            c11 = FloatVector.fromArray(F, c, co + ldc + L);
            c12 = FloatVector.fromArray(F, c, co + ldc + 2 * L);
            c20 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
            c22 = FloatVector.fromArray(F, c, co + 2 * ldc + 2 * L);
            c30 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
            c32 = FloatVector.fromArray(F, c, co + 3 * ldc + 2 * L);
            c40 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
            c42 = FloatVector.fromArray(F, c, co + 4 * ldc + 2 * L);
            c50 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
            c52 = FloatVector.fromArray(F, c, co + 5 * ldc + 2 * L);
            c60 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
            c62 = FloatVector.fromArray(F, c, co + 6 * ldc + 2 * L);
            c70 = FloatVector.fromArray(F, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
            c72 = FloatVector.fromArray(F, c, co + 7 * ldc + 2 * L);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * aps, bi = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, b, bi + 2 * L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(F, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(F, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(F, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(F, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(F, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c12.intoArray(c, co + ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c32.intoArray(c, co + 3 * ldc + 2 * L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c42.intoArray(c, co + 4 * ldc + 2 * L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c52.intoArray(c, co + 5 * ldc + 2 * L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c62.intoArray(c, co + 6 * ldc + 2 * L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
        c72.intoArray(c, co + 7 * ldc + 2 * L);
    }

    /** {@link #kernel8x3} reading an untransposed A in place, {@code A(r,p) = a[ao + r·ars + p]}. */
    private static void kernel8x3Rows(int kc, float[] a, int ao, int ars, float[] b, int bo, int bs,
                                      float[] c, int co, int ldc, boolean fromZero) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32,
                c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        if (fromZero) {
            FloatVector zero = FloatVector.zero(F);
            c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = zero;
            c40 = c41 = c42 = c50 = c51 = c52 = c60 = c61 = c62 = c70 = c71 = c72 = zero;
        } else {
            c00 = FloatVector.fromArray(F, c, co);
            c01 = FloatVector.fromArray(F, c, co + L);
            c02 = FloatVector.fromArray(F, c, co + 2 * L);
            c10 = FloatVector.fromArray(F, c, co + ldc);
            c11 = FloatVector.fromArray(F, c, co + ldc + L);
            c12 = FloatVector.fromArray(F, c, co + ldc + 2 * L);
            c20 = FloatVector.fromArray(F, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
            c22 = FloatVector.fromArray(F, c, co + 2 * ldc + 2 * L);
            c30 = FloatVector.fromArray(F, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
            c32 = FloatVector.fromArray(F, c, co + 3 * ldc + 2 * L);
            c40 = FloatVector.fromArray(F, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
            c42 = FloatVector.fromArray(F, c, co + 4 * ldc + 2 * L);
            c50 = FloatVector.fromArray(F, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
            c52 = FloatVector.fromArray(F, c, co + 5 * ldc + 2 * L);
            c60 = FloatVector.fromArray(F, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
            c62 = FloatVector.fromArray(F, c, co + 6 * ldc + 2 * L);
            c70 = FloatVector.fromArray(F, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
            c72 = FloatVector.fromArray(F, c, co + 7 * ldc + 2 * L);
        }
        for (int p = 0; p < kc; p++) {
            int ai = ao + p, bi = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, b, bi + 2 * L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[ai + ars]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, a[ai + 2 * ars]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(F, a[ai + 3 * ars]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(F, a[ai + 4 * ars]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(F, a[ai + 5 * ars]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(F, a[ai + 6 * ars]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(F, a[ai + 7 * ars]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c12.intoArray(c, co + ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c32.intoArray(c, co + 3 * ldc + 2 * L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c42.intoArray(c, co + 4 * ldc + 2 * L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c52.intoArray(c, co + 5 * ldc + 2 * L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c62.intoArray(c, co + 6 * ldc + 2 * L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
        c72.intoArray(c, co + 7 * ldc + 2 * L);
    }

}
