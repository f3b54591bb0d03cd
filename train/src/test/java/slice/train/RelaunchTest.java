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
        List<String> cmd = Relaunch.childCommand("/jdk", List.of("-Dfoo=1"), original);
        assertEquals(List.of("/jdk/bin/java".replace('/', File.separatorChar), "--add-modules", "jdk.incubator.vector",
                "-Dslice.relaunched=true", "-XX:MaxRAMPercentage=75"), cmd.subList(0, 5));
        assertEquals(original, cmd.subList(5, cmd.size()));
    }

    @Test
    void aHeapChosenByTheUserIsKept() {
        List<String> cmd = Relaunch.childCommand("/jdk", List.of("-Xmx1g"), List.of("-Xmx1g", "-jar", "train.jar"));
        assertFalse(cmd.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage")), cmd.toString());
        assertTrue(cmd.contains("-Xmx1g"));
    }
}
