package slice.train;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Makes {@code java -jar train.jar …} use the vector kernels with no JVM flags.
 *
 * <p>{@code jdk.incubator.vector} must be in the boot module layer, and a jar cannot put it there: a manifest
 * {@code Add-Modules} entry is ignored and modules cannot be added to the boot layer at run time. So when the module is
 * missing, the program starts itself again — the same {@code java} ({@code java.home}), the same command line
 * (JVM options, {@code -jar}/{@code -cp}, program arguments, from {@code /proc/self/cmdline} on Linux, else
 * {@link ProcessHandle}) — with, in front:
 * <pre>
 *   --add-modules jdk.incubator.vector   the module
 *   -Dslice.relaunched=true              the marker: the child never relaunches again
 *   -XX:MaxRAMPercentage=75              unless the user chose a heap: 75 % of the machine's RAM (3 GB on a 4 GB Pi
 *                                        instead of the JVM's default 25 %); a limit, not an allocation
 *   -XX:CompileCommand=quiet             the JIT options below, without the line the JVM prints on stdout for each
 *   -XX:CompileCommand=BackgroundCompilation,slice.engine.simd.*::*,false
 *   -XX:CompileCommand=BackgroundCompilation,jdk.incubator.vector.*::*,false
 *                                        a thread that asks the JIT to compile a vector kernel (or a Vector API
 *                                        method) waits for the compiled code instead of going on without it
 *   -XX:CICompilerCount=3                on fewer than 4 processors, unless the user chose a count: two C2 compiler
 *                                        threads (and one C1), as the JVM gives a 4-core machine by itself
 * </pre>
 * Why the kernels wait for the JIT: until C2 has compiled a vector kernel, the interpreter and C1 run the Vector API
 * as plain Java objects, many times slower, and on a small machine the JIT's compiler thread competes for the cores
 * with the very threads that run the kernels so slowly. Waiting hands it the core — and with a second C2 thread both
 * cores, when both engine threads wait; the compiled code is the same.
 * Only when the JIT compiles changes, not how (the measurements: bench/RESULTS-issue13-changes.md,
 * "{@code train} cold runs, the JIT's compile work").
 *
 * <p>Under a locale that cannot read names as UTF-8 ({@code LC_ALL=C}, or none: a systemd service, a cron job) the child
 * also gets {@code LC_ALL=C.UTF-8} and its arguments from an argument file ({@link #readsNamesAsUtf8}), so person
 * folders and arguments such as "Zoë" keep their letters. Nothing else changes: the child resolves the same default
 * modules as this process (among them {@code jdk.httpserver}, which {@code serve} listens with).
 *
 * <p>The child inherits stdin and stdout; its stderr comes through the parent ({@link #forwardErr}), which leaves out
 * the line the JVM prints first for any incubator module ({@value #INCUBATOR_WARNING}) and passes everything else on as
 * it arrives. The parent exits with the child's exit code, and a parent that is asked to stop (SIGTERM, Ctrl-C) stops
 * the child and waits for it, so its checkpoint writes finish. {@code --no-relaunch} (or a failed relaunch) runs in
 * this process with the scalar kernels and one warning line, and one more if the locale loses names
 * ({@link #localeWarning}). Cost: one extra JVM start.
 */
final class Relaunch {
    static final String MARKER = "slice.relaunched";
    static final String OPT_OUT = "--no-relaunch";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** What the JVM prints on stderr before {@code main} when it resolves an incubator module. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: " + VECTOR_MODULE;
    /** JVM options by which the user already chose a maximum heap. */
    private static final List<String> HEAP_OPTIONS = List.of("-Xmx", "-XX:MaxHeapSize", "-XX:MaxRAMPercentage", "-XX:MaxRAM=");
    /** JIT options of the child: compiling a vector kernel blocks the thread that asked for it (see the class comment). */
    static final List<String> KERNELS_WAIT_FOR_THE_JIT = List.of("-XX:CompileCommand=quiet",
            "-XX:CompileCommand=BackgroundCompilation,slice.engine.simd.*::*,false",
            "-XX:CompileCommand=BackgroundCompilation,jdk.incubator.vector.*::*,false");
    /** The JVM option of the number of JIT compiler threads. */
    static final String COMPILER_THREADS = "-XX:CICompilerCount";

    private Relaunch() { }

    /** The locale the child gets when this one cannot read names as UTF-8: every glibc has it (built in since 2.35). */
    static final String UTF8_LOCALE = "C.UTF-8";

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
        return childCommand(javaHome, jvmOptions, commandLine, Runtime.getRuntime().availableProcessors());
    }

    /** {@link #childCommand(String, List, List)} on a machine with {@code processors} processors. */
    static List<String> childCommand(String javaHome, List<String> jvmOptions, List<String> commandLine, int processors) {
        boolean windows = File.separatorChar == '\\';
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome + File.separator + "bin" + File.separator + (windows ? "java.exe" : "java"));
        cmd.add("--add-modules");
        cmd.add(VECTOR_MODULE);
        cmd.add("-D" + MARKER + "=true");
        boolean heapChosen = jvmOptions.stream().anyMatch(o -> HEAP_OPTIONS.stream().anyMatch(o::startsWith));
        if (!heapChosen) cmd.add("-XX:MaxRAMPercentage=75");
        cmd.addAll(KERNELS_WAIT_FOR_THE_JIT);
        boolean compilersChosen = jvmOptions.stream().anyMatch(o -> o.startsWith(COMPILER_THREADS));
        if (processors < 4 && !compilersChosen) cmd.add(COMPILER_THREADS + "=3");
        cmd.addAll(commandLine);
        return cmd;
    }

    /**
     * Whether this JVM reads file names and command-line arguments as UTF-8. It decodes them with
     * {@code sun.jnu.encoding}, fixed from the locale at start (a {@code -D} cannot change it, on Java 17 or 25): under
     * {@code LC_ALL=C} or no locale at all it is ASCII, and "Zoë" reads as "Zo\uFFFD\uFFFD". Windows passes names as
     * UTF-16 whatever the property says.
     */
    static boolean readsNamesAsUtf8() {
        return File.separatorChar == '\\' || isUtf8(System.getProperty("sun.jnu.encoding"));
    }

    private static boolean isUtf8(String charset) {
        try {
            return charset == null || Charset.forName(charset).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /** One warning line when this process runs the program but cannot read names as UTF-8; else empty. */
    static Optional<String> localeWarning() {
        if (readsNamesAsUtf8()) return Optional.empty();
        return Optional.of("warning: this locale makes Java read file names and arguments as " + System.getProperty("sun.jnu.encoding")
                + ", so names beyond ASCII (Zoë) are lost: run under a UTF-8 locale, e.g. LC_ALL=" + UTF8_LOCALE
                + (Boolean.getBoolean(MARKER) ? " (this system may not have it)" : " (the relaunch, without " + OPT_OUT + ", does)"));
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
        Optional<List<byte[]>> bytes = argumentBytes();
        Optional<List<String>> self = bytes.isPresent()
                ? bytes.map(all -> all.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList())
                : ProcessHandle.current().info().arguments().map(List::of);
        if (self.isEmpty()) {
            System.err.println("warning: cannot read this process's command line to relaunch with " + VECTOR_MODULE);
            return Optional.empty();
        }
        List<String> cmd = childCommand(System.getProperty("java.home"),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), self.get());
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        Path argumentFile = null;
        Process child;
        try {
            if (!readsNamesAsUtf8()) {
                builder.environment().put("LC_ALL", UTF8_LOCALE);
                boolean usersOwnFile = self.get().stream().anyMatch(a -> a.startsWith("@"));   // an argument file cannot expand it
                if (bytes.isPresent() && !usersOwnFile) {
                    argumentFile = argumentFile(cmd.subList(1, cmd.size() - self.get().size()), bytes.get());
                    builder.command(cmd.get(0), "@" + argumentFile);
                }
            }
            child = builder.start();
        } catch (IOException e) {
            System.err.println("warning: cannot relaunch " + cmd.get(0) + " with " + VECTOR_MODULE + ": " + e.getMessage());
            deleteQuietly(argumentFile);
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
        try {
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
        } finally {
            deleteQuietly(argumentFile);
        }
    }

    /**
     * This process's arguments after the {@code java} executable, as the bytes it was given: from
     * {@code /proc/self/cmdline} (Linux), each ended by a NUL. Unlike {@link ProcessHandle.Info#arguments} it keeps
     * empty arguments and the bytes of names the locale cannot decode. Empty when not readable.
     */
    private static Optional<List<byte[]>> argumentBytes() {
        byte[] all;
        try {
            all = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        List<byte[]> arguments = new ArrayList<>();
        for (int start = 0, i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                arguments.add(Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        return arguments.isEmpty() ? Optional.empty() : Optional.of(arguments.subList(1, arguments.size()));
    }

    /**
     * With a locale that cannot read names as UTF-8 a child's arguments are encoded as ASCII ("Zoë" becomes "Zo?"), so
     * the child gets them from a {@code java @file} argument file instead: the {@code options}, then this process's
     * {@code arguments} as their bytes, each quoted; the child reads them as UTF-8 under {@link #UTF8_LOCALE}.
     */
    private static Path argumentFile(List<String> options, List<byte[]> arguments) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (String option : options) quoted(option.getBytes(StandardCharsets.UTF_8), text);
        for (byte[] argument : arguments) quoted(argument, text);
        Path file = Files.createTempFile("slice-arguments", ".txt");   // readable by this user only
        Files.write(file, text.toByteArray());
        file.toFile().deleteOnExit();
        return file;
    }

    /** One argument of an argument file: in double quotes, with backslash, quote, tab, newline and return escaped. */
    private static void quoted(byte[] argument, ByteArrayOutputStream out) {
        out.write('"');
        for (byte b : argument) {
            int escaped = switch (b) {
                case '\\' -> '\\';
                case '"' -> '"';
                case '\t' -> 't';
                case '\n' -> 'n';
                case '\r' -> 'r';
                default -> -1;
            };
            if (escaped >= 0) {
                out.write('\\');
                out.write(escaped);
            } else {
                out.write(b);
            }
        }
        out.write('"');
        out.write('\n');
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file: deleteOnExit tries again
        }
    }
}
