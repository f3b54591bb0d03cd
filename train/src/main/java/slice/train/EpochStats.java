package slice.train;

/** One finished training epoch: mean training loss and accuracy, validation loss and accuracy, wall time, learning rate at its end. */
public record EpochStats(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double seconds, double lr) {
    /** The line printed after each epoch. */
    public String line(int epochs) {
        return String.format(java.util.Locale.ROOT,
                "epoch %" + String.valueOf(epochs).length() + "d/%d  loss %.4f  acc %5.1f %%  val loss %.4f  val acc %5.1f %%  %.1f s",
                epoch, epochs, loss, 100 * accuracy, valLoss, 100 * valAccuracy, seconds);
    }
}
