package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import slice.engine.Parallel;

/**
 * Every {@code java -jar train.jar …} (or {@code java -jar train/target/train.jar …}) command line quoted in the
 * README parses with the real command classes ({@link Cli#commandLine()}, picocli's {@code parseArgs}: options and
 * parameters are matched and converted, nothing runs). A command is the rest of its line in a code block (lines joined
 * at a trailing backslash) or of its inline code span, up to {@code &&}, {@code |} or {@code ;}. The placeholder
 * {@code COMMAND} stands for every subcommand.
 */
class ReadmeCommandsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern JAVA_JAR = Pattern.compile("java -jar (?:train/target/)?train\\.jar\\b");
    private final int threads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads); // a quoted --threads is applied while parsing
    }

    @Test
    void everyTrainJarCommandInTheReadmeParses() throws IOException {
        List<List<String>> commands = commands(Files.readString(README));
        assertTrue(commands.size() >= 3, "found only " + commands + " in " + README.toAbsolutePath());
        List<String> failures = new ArrayList<>();
        for (List<String> args : commands) {
            try {
                Cli.commandLine().parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException | UserError e) {
                failures.add(String.join(" ", args) + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), failures, "README commands that train.jar rejects");
    }

    /** The check can fail: a quoted command with an option no command declares is found and rejected. */
    @Test
    void aQuotedUnknownOptionIsRejected() {
        String readme = "Run `java -jar train.jar predict --model m --no-such-option photo.jpg` to see.\n"
                + "```\njava -jar train/target/train.jar train --data faces \\\n    --out model && echo done\n```\n";
        List<List<String>> commands = commands(readme);
        assertEquals(List.of(List.of("predict", "--model", "m", "--no-such-option", "photo.jpg"),
                List.of("train", "--data", "faces", "--out", "model")), commands);
        assertThrows(CommandLine.UnmatchedArgumentException.class,
                () -> Cli.commandLine().parseArgs(commands.get(0).toArray(String[]::new)));
        Cli.commandLine().parseArgs(commands.get(1).toArray(String[]::new));
    }

    /** A command line's words as a shell splits them: at blanks, except inside double quotes (which it removes). */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        Matcher w = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line.trim());
        while (w.find()) words.add(w.group(1) != null ? w.group(1) : w.group(2));
        return words.isEmpty() ? List.of("") : words;
    }

    /** The argument lists of every quoted command, {@code COMMAND} expanded to each subcommand. */
    static List<List<String>> commands(String markdown) {
        String text = markdown.replaceAll("\\\\\\n\\s*", " ");
        List<List<String>> commands = new ArrayList<>();
        Matcher m = JAVA_JAR.matcher(text);
        while (m.find()) {
            int end = m.end();
            while (end < text.length() && "`\n|;&".indexOf(text.charAt(end)) < 0) end++;
            List<String> args = words(text.substring(m.end(), end));
            if (args.get(0).isEmpty()) fail("a bare 'java -jar train.jar' at offset " + m.start());
            if (args.get(0).equals("COMMAND")) {
                for (String sub : Cli.commandLine().getSubcommands().keySet()) {
                    List<String> expanded = new ArrayList<>(args);
                    expanded.set(0, sub);
                    commands.add(expanded);
                }
            } else {
                commands.add(args);
            }
        }
        return commands;
    }
}
