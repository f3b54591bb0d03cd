package slice.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A layer shape written the way the benchmark parameters (and {@code bench/torch_peer.py}) write it:
 * {@code HxWxC[>K][/KHxKW[sS]]} — input height, width and channels, output channels of a convolution, window and
 * stride. Examples: {@code 56x56x144>24} (1×1 conv), {@code 224x224x3>32/3x3s2} (the MobileNetV2 stem),
 * {@code 17x17x128>128/1x7}, {@code 112x112x96/3x3s2} (a depthwise or pooling window).
 */
record Spec(int h, int w, int c, int k, int kh, int kw, int stride) {
    private static final Pattern FORM = Pattern.compile("(\\d+)x(\\d+)x(\\d+)(?:>(\\d+))?(?:/(\\d+)x(\\d+)(?:s(\\d+))?)?");

    static Spec parse(String s) {
        Matcher m = FORM.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("bad shape '" + s + "': expected HxWxC[>K][/KHxKW[sS]]");
        int c = Integer.parseInt(m.group(3));
        return new Spec(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), c,
                m.group(4) == null ? c : Integer.parseInt(m.group(4)),
                m.group(5) == null ? 1 : Integer.parseInt(m.group(5)),
                m.group(6) == null ? 1 : Integer.parseInt(m.group(6)),
                m.group(7) == null ? 1 : Integer.parseInt(m.group(7)));
    }
}
