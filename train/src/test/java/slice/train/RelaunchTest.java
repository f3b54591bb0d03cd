package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relaunch that gives {@code java -jar train.jar} the vector module, run for real in child JVMs. */
class RelaunchTest {
    record Run(int exit, String out, String err) { }

    /**
     * Starts {@code java [jvmOptions] slice.train.Main args} with the test class path in {@code CLASSPATH} — no
     * --add-modules. Not {@code -cp}: on Linux a process cannot read its own arguments ({@link ProcessHandle.Info}) when
     * its command line is longer than a memory page (4,096 bytes), which the test class path alone exceeds; the
     * command line of {@code java -jar train.jar …} is short.
     */
    static Run java(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(jvmOptions);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = builder.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new Run(p.waitFor(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void relaunchesWithTheVectorModuleAndPassesOutputThrough() throws Exception {
        Run r = java(List.of(), "--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("vector kernels"), r.out());
    }

    @Test
    void childExitCodeAndStderrReachTheCaller() throws Exception {
        Run r = java(List.of(), "--no-such-option");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("error: Unknown option: '--no-such-option'"), r.err());
    }

    @Test
    void theChildsIncubatorWarningIsLeftOutAndItsOwnLinesPassThrough() throws Exception {
        Run help = java(List.of(), "--help");
        assertEquals(0, help.exit(), help.err());
        assertEquals(List.of(), help.err().lines().filter(l -> !l.startsWith("Picked up ")).toList(),
                "nothing but the usage, which goes to stdout (and the JVM's note of a JAVA_TOOL_OPTIONS, if set)");
        assertTrue(help.out().startsWith("Usage: java -jar train.jar"), help.out());

        Run summary = java(List.of(), "summary", "--model", "mobilenetv2", "--alpha", "0.35", "--size", "32");
        assertEquals(0, summary.exit(), summary.err());
        assertFalse(summary.err().contains("WARNING"), summary.err());
        assertTrue(summary.err().startsWith("slice: vector kernels"), "the child ran, with the module: " + summary.err());
    }

    private static String forwarded(String childErr) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Relaunch.forwardErr(new java.io.ByteArrayInputStream(childErr.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void forwardingDropsExactlyAFirstLineThatIsTheWarning() throws Exception {
        String nl = System.lineSeparator(), warning = Relaunch.INCUBATOR_WARNING + nl;
        assertEquals("error: x" + nl, forwarded(warning + "error: x" + nl));
        assertEquals("", forwarded(warning));
        assertEquals("error: x" + nl + warning, forwarded("error: x" + nl + warning), "only as the first line");
        assertEquals("WARNING: Using incubator modules: other" + nl, forwarded("WARNING: Using incubator modules: other" + nl));
        assertEquals("WARNING: Using", forwarded("WARNING: Using"), "a first line cut short is kept");
    }

    @Test
    void forwardingPassesAPartialLineOnAtOnce() throws Exception {
        java.io.PipedOutputStream child = new java.io.PipedOutputStream();
        java.io.PipedInputStream childErr = new java.io.PipedInputStream(child);
        java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        OutputStreamToQueue terminal = new OutputStreamToQueue(seen);
        Thread pump = new Thread(() -> {
            try {
                Relaunch.forwardErr(childErr, terminal);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        pump.start();
        child.write((Relaunch.INCUBATOR_WARNING + System.lineSeparator() + "features 3/10 [==>   ]\r").getBytes(StandardCharsets.UTF_8));
        child.flush();
        StringBuilder got = new StringBuilder();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!got.toString().equals("features 3/10 [==>   ]\r") && System.nanoTime() < deadline) {
            String part = seen.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (part != null) got.append(part);
        }
        assertEquals("features 3/10 [==>   ]\r", got.toString(), "the progress line arrives while the child still runs");
        child.close();
        pump.join();
    }

    /** A terminal that records what was flushed to it, flush by flush. */
    private static final class OutputStreamToQueue extends java.io.OutputStream {
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
        private final java.util.concurrent.BlockingQueue<String> flushed;

        OutputStreamToQueue(java.util.concurrent.BlockingQueue<String> flushed) {
            this.flushed = flushed;
        }

        @Override public void write(int b) {
            pending.write(b);
        }

        @Override public void flush() {
            if (pending.size() > 0) flushed.add(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
        }
    }

    @Test
    void optOutRunsTheScalarKernelsInProcess() throws Exception {
        Run r = java(List.of(), "--no-relaunch", "--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("scalar kernels (jdk.incubator.vector not loaded)"), r.out());
    }

    @Test
    void theMarkerStopsAnyFurtherRelaunch() throws Exception {
        Run r = java(List.of("-D" + Relaunch.MARKER + "=true"), "--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("scalar kernels"), r.out());
    }

    @Test
    void childCommandAddsModuleMarkerAndHeapThenTheOriginalCommandLine() {
        List<String> original = List.of("-Dfoo=1", "-jar", "train.jar", "train", "--data", "faces");
        List<String> cmd = Relaunch.childCommand("/jdk", List.of("-Dfoo=1"), original, 4);
        assertEquals(List.of("/jdk/bin/java".replace('/', File.separatorChar), "--add-modules", "jdk.incubator.vector",
                "-Dslice.relaunched=true", "-XX:MaxRAMPercentage=75"), cmd.subList(0, 5));
        assertEquals(Relaunch.KERNELS_WAIT_FOR_THE_JIT, cmd.subList(5, 8));
        assertEquals(original, cmd.subList(8, cmd.size()));
    }

    @Test
    void onFewerThanFourProcessorsTheChildGetsTwoC2CompilerThreadsUnlessTheUserChose() {
        List<String> original = List.of("-jar", "train.jar", "train");
        List<String> two = Relaunch.childCommand("/jdk", List.of(), original, 2);
        assertEquals("-XX:CICompilerCount=3", two.get(8));
        assertEquals(original, two.subList(9, two.size()));
        assertFalse(Relaunch.childCommand("/jdk", List.of(), original, 4).stream().anyMatch(a -> a.startsWith("-XX:CICompilerCount")));
        List<String> chosen = List.of("-XX:CICompilerCount=2", "-jar", "train.jar");
        List<String> kept = Relaunch.childCommand("/jdk", chosen.subList(0, 1), chosen, 2);
        assertEquals(List.of("-XX:CICompilerCount=2"), kept.stream().filter(a -> a.startsWith("-XX:CICompilerCount")).toList());
    }

    /**
     * The child's JIT options (with the compiler threads it gets on a small machine): this JVM accepts them (an option
     * it did not know would stop it before {@code main}) and prints nothing for them on stdout, where {@code predict}
     * writes its answers.
     */
    @Test
    void theJvmTakesTheKernelsJitOptionsSilently() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        cmd.addAll(Relaunch.KERNELS_WAIT_FOR_THE_JIT);
        cmd.add(Relaunch.COMPILER_THREADS + "=3");
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertEquals("", out);
        assertFalse(err.contains("CompileCommand"), err);
    }

    @Test
    void aHeapChosenByTheUserIsKept() {
        List<String> cmd = Relaunch.childCommand("/jdk", List.of("-Xmx1g"), List.of("-Xmx1g", "-jar", "train.jar"));
        assertFalse(cmd.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage")), cmd.toString());
        assertTrue(cmd.contains("-Xmx1g"));
    }
}
