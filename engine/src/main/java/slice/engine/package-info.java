/**
 * Slice's engine: float32 tensors, layers with their forward and backward passes, and the graph that runs them.
 *
 * <h2>The contract</h2>
 * <ul>
 *   <li><b>Tensors</b> ({@link slice.engine.Tensor}) are dense float32, row-major; images are NHWC, so the channels of
 *       one pixel are contiguous. Layer shapes are per sample ({@code [H, W, C]} or {@code [C]}); the batch dimension
 *       belongs to the graph.</li>
 *   <li><b>Layers</b> ({@link slice.engine.Layer}, one Keras layer each, in {@code slice.engine.layers}) compute
 *       {@code forward} and {@code backward}: backward writes ∂L/∂input into each input's gradient (the first consumer
 *       to run overwrites it, later ones add to it) and <em>overwrites</em> the gradients of its trainable
 *       {@link slice.engine.Param}s. Which buffers a layer reads
 *       and writes, and who owns them, is stated once, in {@link slice.engine.Layer}'s class doc.</li>
 *   <li><b>Graphs</b> ({@link slice.engine.Graph}) run the layers between a source and an output in creation
 *       (topological) order, allocate every buffer once per batch capacity, cut a network at a named layer and fuse
 *       frozen batch norms and activations into the convolution before them for inference (bit-identical to running
 *       them separately).</li>
 *   <li><b>Kernels</b>: the loops a layer delegates to are interfaces in {@code slice.engine.kernels}, each with a
 *       plain scalar implementation (the <em>scalar twin</em>) that states the math. The vector implementations in
 *       {@code slice.engine.simd} — the only package that touches {@code jdk.incubator.vector} — are chosen once at
 *       start-up by {@link slice.engine.Simd}; without the module (or with {@code -Dslice.scalar}) the twins run.
 *       Tests compare every vector kernel with its twin on odd shapes that hit every tail.</li>
 *   <li><b>Threads</b> ({@link slice.engine.Parallel}) split only disjoint outputs, so results are identical for
 *       any thread count.</li>
 *   <li><b>Training</b>: losses, optimisers and learning-rate schedules are in {@code slice.engine.optim}.</li>
 * </ul>
 */
package slice.engine;
