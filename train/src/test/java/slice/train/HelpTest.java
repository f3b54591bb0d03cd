package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --help} of every command renders cleanly: exit 0, the usage on stdout and nothing on stderr — in particular no
 * picocli warning about a description it could not format (a bare {@code %} must be written {@code %%}). Picocli
 * prints those warnings to the {@code System.err} it saw first, so the helps run in a JVM of their own ({@link #main}).
 */
class HelpTest {
    /** Every command path below the top: {@code [train]}, …, {@code [weights, fetch]}. */
    static List<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        collect(Cli.commandLine(), new ArrayList<>(), paths);
        return paths;
    }

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> paths) {
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandName().equals(name)) return;   // an alias
            List<String> p = new ArrayList<>(path);
            p.add(name);
            paths.add(p);
            collect(sub, p, paths);
        });
    }

    /** Runs {@code --help} of the top and of every command; prints {@code <exit code> <command path>} per command. */
    public static void main(String[] args) {
        List<List<String>> paths = new ArrayList<>(List.of(List.of()));
        paths.addAll(commandPaths());
        for (List<String> path : paths) {
            List<String> argv = new ArrayList<>(path);
            argv.add("--help");
            CommandLine cmd = Cli.commandLine();
            cmd.setOut(new java.io.PrintWriter(java.io.Writer.nullWriter()));
            int exit = cmd.execute(argv.toArray(String[]::new));
            System.out.println(exit + " " + String.join(" ", path));
        }
    }

    @Test
    void everyCommandsHelpExitsZeroWithNothingOnStderr() throws Exception {
        List<String> cmd = List.of(System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
                HelpTest.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] err;
        String out;
        try (var errStream = p.getErrorStream()) {
            out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            err = errStream.readAllBytes();
        }
        assertEquals(0, p.waitFor(), new String(err, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of(), new String(err, java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("Picked up "))
                .toList(), "no picocli warning, no format error (only the JVM's note of a JAVA_TOOL_OPTIONS, if set)");
        List<String> lines = out.lines().toList();
        assertEquals(commandPaths().size() + 1, lines.size(), out);
        assertTrue(lines.stream().anyMatch(l -> l.equals("0 evaluate")), out);
        assertTrue(lines.stream().anyMatch(l -> l.equals("0 weights fetch")), out);
        for (String line : lines) assertTrue(line.startsWith("0 "), "help exits 0: " + line);
    }
}
