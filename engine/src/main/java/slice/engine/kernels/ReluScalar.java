package slice.engine.kernels;

/** Scalar twin of {@link ReluKernel}: the formulas as written, one element at a time. */
public final class ReluScalar implements ReluKernel {
    @Override public void forward(float[] x, float[] y, int from, int to, float max) {
        for (int i = from; i < to; i++) y[i] = Math.min(Math.max(x[i], 0f), max);
    }

    @Override public void backward(float[] x, float[] dy, float[] dx, int from, int to, float max, boolean add) {
        for (int i = from; i < to; i++) dx[i] = (add ? dx[i] : 0f) + (x[i] > 0f & x[i] < max ? dy[i] : 0f);
    }

    @Override public void leakyForward(float[] x, float[] y, int from, int to, float alpha) {
        for (int i = from; i < to; i++) y[i] = Math.max(x[i], alpha * x[i]);
    }

    @Override public void leakyBackward(float[] x, float[] dy, float[] dx, int from, int to, float alpha, boolean add) {
        for (int i = from; i < to; i++) dx[i] = (add ? dx[i] : 0f) + (x[i] > 0f ? dy[i] : alpha * dy[i]);
    }
}
