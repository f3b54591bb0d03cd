/**
 * Training: softmax cross-entropy ({@link slice.engine.optim.Loss}), optimisers that update a network's trainable
 * parameters from the gradients its backward pass wrote ({@link slice.engine.optim.Sgd},
 * {@link slice.engine.optim.Adam}) and learning-rate schedules ({@link slice.engine.optim.LrSchedule}).
 */
package slice.engine.optim;
