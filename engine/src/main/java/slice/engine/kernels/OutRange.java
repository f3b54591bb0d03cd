package slice.engine.kernels;

/**
 * The outputs {@code [from, to)} along one axis whose tap at input offset {@code o·s + offset} lies inside
 * {@code [0, size)}, clipped to {@code [0, outSize)}: where a fixed tap of a strided window reads real input.
 */
public record OutRange(int from, int to) {
    public static OutRange of(int offset, int s, int size, int outSize) {
        int from = offset >= 0 ? 0 : (-offset + s - 1) / s;
        int to = Math.min(outSize, Math.floorDiv(size - 1 - offset, s) + 1);
        return new OutRange(from, Math.max(from, to));
    }
}
