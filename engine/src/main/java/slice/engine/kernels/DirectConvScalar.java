package slice.engine.kernels;

/** The scalar twin of the direct convolution: the formula of {@link DirectConvKernel}, one output at a time. */
public final class DirectConvScalar implements DirectConvKernel {
    @Override public void forward(Im2col g, int cout, float[] x, float[] kernel, float[] bias, ColumnMap map, float[] y,
                                  int row0, int row1) {
        int cin = g.cin();
        for (int r = row0; r < row1; r++) {
            int n = r / g.outH(), iy0 = r % g.outH() * g.strideH() - g.padTop();
            for (int ox = 0; ox < g.outW(); ox++) {
                int ix0 = ox * g.strideW() - g.padLeft(), out = (r * g.outW() + ox) * cout;
                for (int o = 0; o < cout; o++) {
                    float acc = bias == null ? 0f : bias[o];
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = iy0 + ky;
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int ix = ix0 + kx;
                            boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                            for (int c = 0; c < cin; c++) {
                                float v = inside ? x[((n * g.h() + iy) * g.w() + ix) * cin + c] : 0f;
                                acc = Math.fma(v, kernel[((ky * g.kw() + kx) * cin + c) * cout + o], acc);
                            }
                        }
                    }
                    y[out + o] = map == null ? acc : map.apply(acc, o);
                }
            }
        }
    }
}
