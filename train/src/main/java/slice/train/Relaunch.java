package slice.train;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes {@code java -jar train.jar …} use the vector kernels with no JVM flags.
 *
 * <p>{@code jdk.incubator.vector} must be in the boot module layer, and a jar cannot put it there: a manifest
 * {@code Add-Modules} entry is ignored and modules cannot be added to the boot layer at run time. So when the module is
 * missing, the program starts itself again — the same {@code java} ({@code java.home}), the same command line
 * (JVM options, {@code -jar}/{@code -cp}, program arguments, from {@link ProcessHandle}) — with, in front:
 * <pre>
 *   --add-modules jdk.incubator.vector   the module
 *   -Dslice.relaunched=true              the marker: the child never relaunches again
 *   -XX:MaxRAMPercentage=75              unless the user chose a heap: 75 % of the machine's RAM (3 GB on a 4 GB Pi
 *                                        instead of the JVM's default 25 %); a limit, not an allocation
 * </pre>
 * Nothing else changes: the child resolves the same default modules as this process (among them
 * {@code jdk.httpserver}, which {@code serve} listens with). The child inherits stdin and stdout; its stderr comes
 * through the parent ({@link #forwardErr}), which leaves out the line the JVM prints first for any incubator module
 * ({@value #INCUBATOR_WARNING}) and passes everything else on as it arrives. The parent exits with the child's exit
 * code, and a parent that is asked to stop (SIGTERM, Ctrl-C) stops the child and waits for it, so its checkpoint
 * writes finish. {@code --no-relaunch} (or a failed relaunch) runs in this process with the scalar kernels and one
 * warning line. Cost: one extra JVM start.
 */
final class Relaunch {
    static final String MARKER = "slice.relaunched";
    static final String OPT_OUT = "--no-relaunch";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** What the JVM prints on stderr before {@code main} when it resolves an incubator module. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: " + VECTOR_MODULE;
    /** JVM options by which the user already chose a maximum heap. */
    private static final List<String> HEAP_OPTIONS = List.of("-Xmx", "-XX:MaxHeapSize", "-XX:MaxRAMPercentage", "-XX:MaxRAM=");

    private Relaunch() { }

    static boolean vectorModuleLoaded() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Whether this process should start a child instead of running the program itself. */
    static boolean wanted(String[] args) {
        return !vectorModuleLoaded() && !Boolean.getBoolean(MARKER) && !List.of(args).contains(OPT_OUT);
    }

    /**
     * The child's full command line: {@code java}, the added options, then this process's own arguments unchanged.
     *
     * @param javaHome          {@code java.home} of this JVM
     * @param jvmOptions        this JVM's options (to see whether the user set a heap)
     * @param commandLine       everything after the executable on this process's command line
     */
    static List<String> childCommand(String javaHome, List<String> jvmOptions, List<String> commandLine) {
        boolean windows = File.separatorChar == '\\';
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome + File.separator + "bin" + File.separator + (windows ? "java.exe" : "java"));
        cmd.add("--add-modules");
        cmd.add(VECTOR_MODULE);
        cmd.add("-D" + MARKER + "=true");
        boolean heapChosen = jvmOptions.stream().anyMatch(o -> HEAP_OPTIONS.stream().anyMatch(o::startsWith));
        if (!heapChosen) cmd.add("-XX:MaxRAMPercentage=75");
        cmd.addAll(commandLine);
        return cmd;
    }

    /**
     * In the child: exits when the launching process ends, so a launcher killed with SIGKILL (which cannot pass the
     * signal on) leaves no orphan still training into the same folder. Every file is written atomically, so stopping
     * at any moment is safe; a re-run continues from the last checkpoint.
     */
    static void stopWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("warning: the launching process ended; stopping");
            System.exit(143);
        }));
    }

    /** How long, after the child ended, its last stderr bytes may take to come through. */
    private static final long FORWARD_GRACE_MILLIS = 5000;

    /**
     * Copies {@code from} to {@code to} until the end, flushing after every read so a progress bar's partial line shows
     * at once, except a first line that is exactly {@link #INCUBATOR_WARNING}: the opening bytes are held back only
     * while they can still be that line, and dropped once they are.
     */
    static void forwardErr(InputStream from, OutputStream to) throws IOException {
        byte[] warning = (INCUBATOR_WARNING + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[8192];
        int held = 0;             // bytes of the warning matched so far, not yet written
        boolean deciding = true;  // the opening bytes may still be the warning
        int n;
        while ((n = from.read(buffer)) >= 0) {
            int start = 0;
            while (deciding && start < n && held < warning.length && buffer[start] == warning[held]) {
                held++;
                start++;
            }
            if (deciding && held == warning.length) {
                deciding = false;
            } else if (deciding && start < n) {
                to.write(warning, 0, held);
                deciding = false;
            }
            to.write(buffer, start, n - start);
            to.flush();
        }
        if (deciding) to.write(warning, 0, held);
        to.flush();
    }

    /**
     * Runs the program in a child JVM with the vector module and returns its exit code, or empty when the command
     * line of this process is not available or the child cannot start (the caller then runs in-process).
     */
    static Optional<Integer> run() {
        Optional<String[]> self = ProcessHandle.current().info().arguments();
        if (self.isEmpty()) {
            System.err.println("warning: cannot read this process's command line to relaunch with " + VECTOR_MODULE);
            return Optional.empty();
        }
        List<String> cmd = childCommand(System.getProperty("java.home"),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), List.of(self.get()));
        Process child;
        try {
            child = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            System.err.println("warning: cannot relaunch " + cmd.get(0) + " with " + VECTOR_MODULE + ": " + e.getMessage());
            return Optional.empty();
        }
        Thread errors = new Thread(() -> {
            try (InputStream err = child.getErrorStream()) {
                forwardErr(err, System.err);
            } catch (IOException e) {
                // The child's stderr closed under us: it is gone, and its exit code says how it ended.
            }
        }, "child-stderr");
        errors.setDaemon(true);
        errors.start();
        Thread stopChild = new Thread(() -> {
            try {
                if (child.isAlive()) {
                    child.destroy();
                    child.waitFor();
                }
                errors.join(FORWARD_GRACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stop-child");
        Runtime.getRuntime().addShutdownHook(stopChild);
        while (true) {
            try {
                int code = child.waitFor();
                errors.join(FORWARD_GRACE_MILLIS);
                Runtime.getRuntime().removeShutdownHook(stopChild);
                return Optional.of(code);
            } catch (InterruptedException e) {
                // Only a shutdown interrupts the main thread here; the hook stops the child.
            } catch (IllegalStateException shuttingDown) {
                return Optional.of(child.exitValue());
            }
        }
    }
}
