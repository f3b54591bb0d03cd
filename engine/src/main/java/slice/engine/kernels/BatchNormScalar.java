package slice.engine.kernels;

/** The scalar twin of the batch-norm loops: one channel at a time, the math of {@link BatchNormKernel} as written. */
public final class BatchNormScalar implements BatchNormKernel {
    @Override public void affine(float[] x, float[] y, int p0, int p1, int channels, float[] s, float[] t) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            for (int c = 0; c < channels; c++) y[row + c] = Math.fma(x[row + c], s[c], t[c]);
        }
    }

    @Override public void scaledGradient(float[] dy, float[] dx, int p0, int p1, int channels, float[] s, boolean add) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            for (int c = 0; c < channels; c++) dx[row + c] = add ? Math.fma(s[c], dy[row + c], dx[row + c]) : s[c] * dy[row + c];
        }
    }

    @Override public void normalizedGradient(float[] dy, float[] x, float[] dx, int dxStart, int p0, int p1, int channels,
                                             float[] mean, float[] a, float[] b, float[] k, boolean add) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels, out = dxStart + (p - p0) * channels;
            for (int c = 0; c < channels; c++) {
                float centredTerm = Math.fma(b[c], x[row + c] - mean[c], k[c]);
                float g = Math.fma(a[c], dy[row + c], centredTerm);
                dx[out + c] = add ? dx[out + c] + g : g;
            }
        }
    }

    @Override public void affineRelu(float[] x, float[] y, int p0, int p1, int channels, float[] s, float[] t, float max) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            for (int c = 0; c < channels; c++) y[row + c] = Math.min(Math.max(Math.fma(x[row + c], s[c], t[c]), 0f), max);
        }
    }

    @Override public void gatedScaledGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels, float[] s,
                                              ReluGate gate, boolean add) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            for (int c = 0; c < channels; c++) {
                float g = gate.open(x[row + c], c) ? dy[row + c] : 0f;
                dx[row + c] = add ? Math.fma(s[c], g, dx[row + c]) : s[c] * g;
            }
        }
    }

    @Override public void gatedNormalizedGradient(float[] dy, float[] x, float[] dx, int dxStart, int p0, int p1, int channels,
                                                  float[] mean, float[] a, float[] b, float[] k, ReluGate gate, boolean add) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels, out = dxStart + (p - p0) * channels;
            for (int c = 0; c < channels; c++) {
                float centredTerm = Math.fma(b[c], x[row + c] - mean[c], k[c]);
                float g = Math.fma(a[c], gate.open(x[row + c], c) ? dy[row + c] : 0f, centredTerm);
                dx[out + c] = add ? dx[out + c] + g : g;
            }
        }
    }

    @Override public void gatedGradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean,
                                            ReluGate gate, float[] sumDy, float[] sumDyXc) {
        for (int p = p0; p < p1; p++) {
            for (int c = 0; c < channels; c++) {
                int i = p * channels + c;
                float g = gate.open(x[i], c) ? dy[i] : 0f;
                sumDy[c] += g;
                sumDyXc[c] = Math.fma(g, x[i] - mean[c], sumDyXc[c]);
            }
        }
    }

    @Override public void sum(float[] x, int p0, int p1, int channels, float[] sum) {
        for (int p = p0; p < p1; p++) {
            for (int c = 0; c < channels; c++) sum[c] += x[p * channels + c];
        }
    }

    @Override public void centredSquares(float[] x, int p0, int p1, int channels, float[] mean, float[] squares) {
        for (int p = p0; p < p1; p++) {
            for (int c = 0; c < channels; c++) {
                float d = x[p * channels + c] - mean[c];
                squares[c] = Math.fma(d, d, squares[c]);
            }
        }
    }

    @Override public void gradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean,
                                       float[] sumDy, float[] sumDyXc) {
        for (int p = p0; p < p1; p++) {
            for (int c = 0; c < channels; c++) {
                int i = p * channels + c;
                sumDy[c] += dy[i];
                sumDyXc[c] = Math.fma(dy[i], x[i] - mean[c], sumDyXc[c]);
            }
        }
    }
}
