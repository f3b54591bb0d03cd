package slice.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What determines the weights a training run computes, as named settings in a fixed order (e.g. backbone, weights,
 * cut, head, training options, split, data): a {@link Checkpoint} is continued only by a run of equal identity.
 */
public record RunIdentity(List<Setting> settings) {
    /** One setting: {@code lr} = {@code 0.001}. */
    public record Setting(String name, String value) { }

    public static final RunIdentity EMPTY = new RunIdentity(List.of());

    public RunIdentity {
        settings = List.copyOf(settings);
    }

    /** This identity with one more setting, the value written by {@link String#valueOf(Object)}. */
    public RunIdentity with(String name, Object value) {
        List<Setting> more = new ArrayList<>(settings);
        more.add(new Setting(name, String.valueOf(value)));
        return new RunIdentity(more);
    }

    /** The first setting that differs, {@code this} being the saved run: {@code lr 0.01 there, lr 0.1 now}. */
    public String difference(RunIdentity now) {
        for (int i = 0; i < Math.min(settings.size(), now.settings.size()); i++) {
            Setting a = settings.get(i), b = now.settings.get(i);
            if (!a.equals(b)) return a.name + " " + a.value + " there, " + b.name + " " + b.value + " now";
        }
        return this + " there, " + now + " now";
    }

    /** The settings by name, in order: how a checkpoint stores them. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Setting s : settings) map.put(s.name, s.value);
        return map;
    }

    /** The inverse of {@link #toMap}. */
    public static RunIdentity of(Map<String, String> settings) {
        return new RunIdentity(settings.entrySet().stream().map(e -> new Setting(e.getKey(), e.getValue())).toList());
    }

    /** {@code backbone mobilenetv2 alpha=0.5 size=224, lr 0.001, …}. */
    @Override public String toString() {
        return settings.stream().map(s -> s.name + " " + s.value).collect(Collectors.joining(", "));
    }
}
