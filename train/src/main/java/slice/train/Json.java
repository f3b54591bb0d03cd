package slice.train;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;

/**
 * Writes maps, lists, strings, numbers, booleans and {@code null} as indented JSON (for {@code metrics.json}).
 * Maps keep their iteration order, so a {@link java.util.LinkedHashMap} gives a stable, readable field order.
 * Other numbers keep six significant digits; non-finite ones have no JSON form and are written as {@code null}.
 */
final class Json {
    /** Six significant digits: more than any metric here means, and a float's precision. */
    private static final MathContext SIX_DIGITS = new MathContext(6);

    private Json() { }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, 0);
        return sb.append('\n').toString();
    }

    private static void write(Object v, StringBuilder sb, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(s, sb);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            sb.append(Double.isFinite(d) ? new BigDecimal(d).round(SIX_DIGITS).stripTrailingZeros().toPlainString() : "null");
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append("  ".repeat(indent + 1));
                quote(String.valueOf(e.getKey()), sb);
                sb.append(": ");
                write(e.getValue(), sb, indent + 1);
                sb.append(++i < m.size() ? ",\n" : "\n");
            }
            sb.append("  ".repeat(indent)).append('}');
        } else if (v instanceof List<?> l) {
            boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List || x instanceof int[]);
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (!flat) sb.append('\n').append("  ".repeat(indent + 1));
                write(l.get(i), sb, indent + 1);
                if (i + 1 < l.size()) sb.append(flat ? ", " : ",");
            }
            if (!flat && !l.isEmpty()) sb.append('\n').append("  ".repeat(indent));
            sb.append(']');
        } else if (v instanceof int[] a) {
            write(java.util.Arrays.stream(a).boxed().toList(), sb, indent);
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
