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

    @Override public void normalizedGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels,
                                             float[] mean, float[] a, float[] b, float[] k, boolean add) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            for (int c = 0; c < channels; c++) {
                float centredTerm = Math.fma(b[c], x[row + c] - mean[c], k[c]);
                float g = Math.fma(a[c], dy[row + c], centredTerm);
                dx[row + c] = add ? dx[row + c] + g : g;
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

    @Override public void gatedNormalizedGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels,
                                                  float[] mean, float[] a, float[] b, float[] k, ReluGate gate, boolean add) {
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            for (int c = 0; c < channels; c++) {
                float centredTerm = Math.fma(b[c], x[row + c] - mean[c], k[c]);
                float g = Math.fma(a[c], gate.open(x[row + c], c) ? dy[row + c] : 0f, centredTerm);
                dx[row + c] = add ? dx[row + c] + g : g;
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

    @Override public void moments(float[] x, int p0, int p1, int channels, float[] mean, float[] m2) {
        for (int c = 0; c < channels; c++) {
            mean[c] = 0f;
            m2[c] = 0f;
        }
        for (int t0 = p0; t0 < p1; t0 += BatchNormKernel.momentTile(channels)) {
            int t1 = Math.min(p1, t0 + BatchNormKernel.momentTile(channels));
            float n = t1 - t0, w = n / (t1 - p0), v = (t0 - p0) * w;
            for (int c = 0; c < channels; c++) {
                float sum = 0f;
                for (int p = t0; p < t1; p++) sum += x[p * channels + c];
                float roughMean = sum / n, residual = 0f, squares = 0f;
                for (int p = t0; p < t1; p++) {
                    float d = x[p * channels + c] - roughMean;
                    residual += d;
                    squares = Math.fma(d, d, squares);
                }
                float correction = residual / n, tileMean = roughMean + correction;
                float delta = tileMean - mean[c];
                mean[c] = Math.fma(delta, w, mean[c]);
                m2[c] += Math.fma(delta * delta, v, Math.fma(-residual, correction, squares));
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
