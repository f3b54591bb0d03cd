package slice.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.train.data.DataException;
import slice.weights.WeightsException;

/**
 * The command line: {@code train}, {@code predict}, {@code evaluate}, {@code features}, {@code summary},
 * {@code weights fetch|list}; and for a recogniser made only of enrolled faces, {@code enroll}, {@code forget},
 * {@code people} ({@link GalleryCommands}), and {@code serve}, the same as a web service ({@link slice.train.serve.ServeCommand}).
 *
 * <p>Errors: a {@link UserError}, {@link DataException} or {@link WeightsException} (or an I/O error, or a bad option)
 * is one line on stderr, exit code 2; anything else
 * is a bug, reported in one line with exit code 1. {@code --debug} adds the stack trace.
 */
@Command(name = "java -jar train.jar", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Slice: fine-tune MobileNetV2 or InceptionV3 into a face recogniser, in pure Java.",
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:internal error (a bug: rerun with --debug and report it)",
                "2:bad input: a file, folder or option (one line on stderr says which and why)"},
        footer = {"", "Run 'java -jar train.jar COMMAND --help' for a command's options."})
public final class Cli {
    public static final int OK = 0, INTERNAL = 1, USER = 2;
    private static final String THREADS = "--threads";
    /** The commands, in the order help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(TrainCommand.class, PredictCommand.class, EvaluateCommand.class,
            DetectCommand.class, FeaturesCommand.class, SummaryCommand.class, WeightsCommand.class, GalleryCommands.Enroll.class,
            GalleryCommands.Forget.class, GalleryCommands.People.class, slice.train.serve.ServeCommand.class);

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean debug;

    /** Read by {@link Main} before parsing; declared here so it is documented and accepted anywhere. */
    @Option(names = Relaunch.OPT_OUT, scope = ScopeType.INHERIT,
            description = "Do not restart the JVM with jdk.incubator.vector; without it the scalar kernels run (slower).")
    boolean noRelaunch;

    @Option(names = THREADS, scope = ScopeType.INHERIT, paramLabel = "N",
            description = "Compute threads (default: all processors).")
    void threads(int n) {
        if (n < 1) throw new UserError("--threads must be at least 1, got " + n);
        Parallel.setThreads(n);
    }

    /** Parses and runs {@code args}; returns the exit code. */
    public static int execute(String... args) {
        return commandLine(args).execute(args);
    }

    /** The command line with every command. */
    static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line that runs {@code args}: with only the command they name when they name one (picocli builds each
     * command's model from its annotations by reflection, a cold start's work that the others need not do), else with
     * every command, so help, {@code help COMMAND} and the error for an unknown name see them all.
     */
    static CommandLine commandLine(String... args) {
        String named = commandName(args);
        List<Class<?>> chosen = COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(named)).toList();
        return commandLine(chosen.isEmpty() ? COMMANDS : chosen);
    }

    /**
     * The first argument that is not an option nor {@code --threads}' value: the command's name, or whatever stands in
     * its place; null when there is none.
     */
    static String commandName(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(THREADS)) i++;
            else if (!args[i].startsWith("-")) return args[i];
        }
        return null;
    }

    private static CommandLine commandLine(List<Class<?>> commands) {
        Cli cli = new Cli();
        CommandLine cmd = new CommandLine(cli);
        for (Class<?> sub : commands) cmd.addSubcommand(sub);
        registerFiniteNumbers(cmd);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            Throwable cause = e.getCause();
            String message = cause instanceof UserError ? cause.getMessage() : e.getMessage();
            err.println("error: " + message + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            if (cli.debug) e.printStackTrace(err);
            err.flush();
            return USER;
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            int code = exitCode(e);
            err.println("error: " + message(e) + (code == INTERNAL && !cli.debug ? " (rerun with --debug for details)" : ""));
            if (cli.debug) e.printStackTrace(err);
            err.flush();
            return code;
        });
        return cmd;
    }

    /**
     * Every float or double option of every command takes only finite numbers: {@code NaN}, {@code Infinity} and a
     * decimal beyond the type's range ({@code 1e39} as a float) are refused while parsing, before any check of the
     * option's own range could be fooled by them ({@code Infinity > 0} holds). Registered after the subcommands are
     * added, as picocli applies a converter to the commands present.
     */
    private static void registerFiniteNumbers(CommandLine cmd) {
        CommandLine.ITypeConverter<Double> doubles = s -> finite(s, "double");
        CommandLine.ITypeConverter<Float> floats = s -> (float) finite(s, "float");
        cmd.registerConverter(Double.class, doubles).registerConverter(double.class, doubles)
                .registerConverter(Float.class, floats).registerConverter(float.class, floats);
    }

    /** {@code text} as a finite {@code type} ({@code float} or {@code double}), or picocli's one-line conversion error. */
    private static double finite(String text, String type) {
        double value;
        try {
            value = type.equals("float") ? Float.parseFloat(text) : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a " + type);
        }
        if (!Double.isFinite(value)) throw new CommandLine.TypeConversionException("'" + text + "' is not a finite " + type);
        return value;
    }

    static int exitCode(Throwable e) {
        return e instanceof UserError || e instanceof DataException || e instanceof WeightsException
                || e instanceof IOException || e instanceof UncheckedIOException ? USER : INTERNAL;
    }

    /** One line: the user error's message, the I/O error with its file, or the bug's type and message. */
    static String message(Throwable e) {
        if (e instanceof UserError || e instanceof DataException || e instanceof WeightsException) return e.getMessage();
        if (e instanceof UncheckedIOException u) return message(u.getCause());
        if (e instanceof java.nio.file.NoSuchFileException n) return n.getFile() + ": no such file or folder";
        if (e instanceof java.nio.file.AccessDeniedException a) return a.getFile() + ": permission denied";
        if (e instanceof java.nio.file.FileAlreadyExistsException f) return f.getFile() + ": exists and is not a folder";
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
        }
        if (e instanceof IOException) return e.getMessage();
        return "internal error: " + e;
    }

    /** Every computing command starts by saying which kernels run; without the vector module that line is a warning. */
    public abstract static class Task implements Callable<Integer> {
        @Override public final Integer call() throws Exception {
            System.err.println(Simd.ENABLED ? "slice: " + Simd.describe()
                    : "warning: " + Simd.describe() + ": several times slower than the vector kernels"
                      + " (run without " + Relaunch.OPT_OUT + ", or java --add-modules jdk.incubator.vector)");
            try {
                return run();
            } catch (OutOfMemoryError e) {
                throw new UserError("out of memory (maximum heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                        + " MB): use a smaller --batch, or give java a larger -Xmx");
            }
        }

        protected abstract int run() throws Exception;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"slice " + (v == null ? "(development build)" : v), Simd.describe()};
        }
    }
}
