package slice.train;

import java.io.File;
import java.lang.management.ManagementFactory;
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
 * Nothing else changes: the child resolves the same default modules as this process (among them {@code jdk.httpserver},
 * which {@code serve} listens with). The child inherits stdin/stdout/stderr, the parent exits with the child's exit code, and a parent that is asked to
 * stop (SIGTERM, Ctrl-C) stops the child and waits for it, so its checkpoint writes finish. {@code --no-relaunch} (or
 * a failed relaunch) runs in this process with the scalar kernels and one warning line. Cost: one extra JVM start.
 */
final class Relaunch {
    static final String MARKER = "slice.relaunched";
    static final String OPT_OUT = "--no-relaunch";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
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
            child = new ProcessBuilder(cmd).inheritIO().start();
        } catch (java.io.IOException e) {
            System.err.println("warning: cannot relaunch " + cmd.get(0) + " with " + VECTOR_MODULE + ": " + e.getMessage());
            return Optional.empty();
        }
        Thread stopChild = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "stop-child");
        Runtime.getRuntime().addShutdownHook(stopChild);
        while (true) {
            try {
                int code = child.waitFor();
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
