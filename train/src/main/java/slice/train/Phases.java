package slice.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time per phase of a command (scan, features, training, evaluation, …), in the order they ran. */
final class Phases {
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final long start = System.nanoTime();

    /** Runs {@code body} as phase {@code name} and returns its result. */
    <T> T time(String name, ThrowingSupplier<T> body) throws Exception {
        long t0 = System.nanoTime();
        try {
            return body.get();
        } finally {
            seconds.merge(name, (System.nanoTime() - t0) / 1e9, Double::sum);
        }
    }

    @FunctionalInterface
    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    /** E.g. {@code scan 0.8 s, features 5.4 s, training 1.3 s, total 8.5 s}. */
    String line() {
        StringBuilder sb = new StringBuilder();
        toJson().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k)
                .append(String.format(java.util.Locale.ROOT, " %.1f s", (Double) v)));
        return sb.toString();
    }

    /** Seconds per phase, plus {@code total} since this object was created. */
    Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>(seconds);
        j.put("total", (System.nanoTime() - start) / 1e9);
        return j;
    }
}
