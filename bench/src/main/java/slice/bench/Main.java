package slice.bench;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code java -jar bench/target/benchmarks.jar [JMH options] [benchmark regex ...]}: runs JMH (the headline set when
 * no regex is given, always with the {@link Peak} probe) and then prints one Markdown table: time per call,
 * GFLOP/s and the fraction of the FMA peak measured at the same thread count in the same run.
 *
 * <p>The forks get {@code --add-modules jdk.incubator.vector} from each benchmark's {@code @Fork}, and inherit this
 * JVM's options, so {@code java -XX:MaxVectorSize=16 -jar benchmarks.jar} measures the 128-bit (NEON-width) code.
 * All JMH options work ({@code -p threads=2}, {@code -f}, {@code -wi}, {@code -rf json -rff out.json}, {@code -h}).
 */
public final class Main {
    /** Benchmarks run when no regex is given: every kernel and model benchmark. */
    static final List<String> HEADLINE = List.of(
            "slice\\.bench\\.(Pointwise|Conv|Depthwise|Norm|Pool|Concat|Inference|Training|Features)\\.");
    private static final String PEAK = "slice\\.bench\\.Peak\\.";

    private Main() { }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) HEADLINE.forEach(options::include);
        options.include(PEAK);
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.print(summary(results));
    }

    /** The Markdown summary: peak probe line, then one row per benchmark and parameter set. */
    static String summary(Collection<RunResult> results) throws ReflectiveOperationException {
        Map<Integer, Double> peak = new TreeMap<>();
        int lanes = 0;
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().startsWith("slice.bench.Peak.")) continue;
            int threads = Integer.parseInt(r.getParams().getParam("threads"));
            // A peak is the best the hardware does: the best measured iteration, not the mean (the CPU may be shared).
            for (BenchmarkResult b : r.getBenchmarkResults()) {
                for (IterationResult i : b.getIterationResults()) {
                    double flopPerSecond = i.getSecondaryResults().get("flop").getScore();
                    if (flopPerSecond / 1e9 > peak.getOrDefault(threads, 0.0)) {
                        peak.put(threads, flopPerSecond / 1e9);
                        lanes = (int) Math.round(flopPerSecond / i.getPrimaryResult().getScore() / Peak.flopsPerCall(threads, 1));
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "FMA peak probe (%d independent FMA chains, %d-bit vectors = %d float lanes; best 1 s iteration):",
                Peak.CHAINS, lanes * 32, lanes));
        peak.forEach((t, g) -> sb.append(String.format(Locale.ROOT, " %d thread%s %.1f GFLOP/s;", t, t == 1 ? "" : "s", g)));
        sb.append("\n\n| benchmark | shape or model | batch | threads | ms/call | GFLOP/s | % of peak |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            if (p.getBenchmark().startsWith("slice.bench.Peak.")) continue;
            String name = p.getBenchmark().substring("slice.bench.".length());
            Result<?> primary = r.getPrimaryResult();
            double ms = millisPerCall(primary.getScore(), p);
            double flops = flops(p);
            int threads = Integer.parseInt(p.getParam("threads"));
            String gflops = "—", fraction = "—";
            if (flops > 0) {
                double g = flops / (ms * 1e6);
                gflops = String.format(Locale.ROOT, "%.1f", g);
                if (peak.containsKey(threads)) fraction = String.format(Locale.ROOT, "%.0f %%", 100 * g / peak.get(threads));
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.3f | %s | %s |%n", name,
                    orDash(p.getParam("shape") != null ? p.getParam("shape") : p.getParam("model")), orDash(p.getParam("batch")), threads, ms, gflops, fraction));
        }
        return sb.toString();
    }

    private static String orDash(String s) {
        return s == null ? "—" : s;
    }

    /** The score (time per call in the benchmark's unit) in milliseconds. */
    private static double millisPerCall(double score, BenchmarkParams p) {
        return score * TimeUnit.NANOSECONDS.convert(1, p.getTimeUnit()) / 1e6;
    }

    /** FLOPs of one call: the benchmark class is instantiated here with the run's parameters and asked. */
    private static double flops(BenchmarkParams p) throws ReflectiveOperationException {
        String benchmark = p.getBenchmark();
        int dot = benchmark.lastIndexOf('.');
        Class<?> type = Class.forName(benchmark.substring(0, dot));
        if (!Counted.class.isAssignableFrom(type)) return 0;
        Counted bench = (Counted) type.getConstructor().newInstance();
        for (String key : p.getParamsKeys()) {
            Field f = type.getField(key);
            String value = p.getParam(key);
            f.set(bench, f.getType() == int.class ? (Object) Integer.parseInt(value) : value);
        }
        return bench.flops(benchmark.substring(dot + 1));
    }

    /** A benchmark that knows the FLOPs of one call of each of its methods, given its parameters. */
    interface Counted {
        double flops(String method);
    }
}
