package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Errors reach the user as one line on stderr with exit code 2 (input) or 1 (bug); --debug adds the stack. */
class CliTest {
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @CommandLine.Parameters String what;

        @Override public Integer call() throws Exception {
            switch (what) {
                case "user" -> throw UserError.about(Path.of("faces/s1/1.pgm"), "not an image");
                case "missing" -> throw new java.nio.file.NoSuchFileException("faces/nope");
                default -> throw new IllegalStateException("a bug");
            }
        }
    }

    record Result(int exit, String err) { }

    static Result run(String... args) {
        CommandLine cmd = Cli.commandLine();
        cmd.addSubcommand(new Boom());
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        return new Result(cmd.execute(args), err.toString());
    }

    @Test
    void userErrorIsOneLineWithExitCode2() {
        Result r = run("boom", "user");
        assertEquals(2, r.exit());
        assertEquals("error: faces/s1/1.pgm: not an image" + System.lineSeparator(), r.err());
    }

    @Test
    void missingFileIsAUserError() {
        Result r = run("boom", "missing");
        assertEquals(2, r.exit());
        assertEquals("error: faces/nope: no such file or folder" + System.lineSeparator(), r.err());
    }

    @Test
    void bugsAreOneLineWithExitCode1AndAHint() {
        Result r = run("boom", "bug");
        assertEquals(1, r.exit());
        assertEquals("error: internal error: java.lang.IllegalStateException: a bug (rerun with --debug for details)"
                + System.lineSeparator(), r.err());
    }

    @Test
    void debugShowsTheStackTrace() {
        Result r = run("boom", "--debug", "bug");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("\tat slice.train.CliTest$Boom.call"), r.err());
    }

    @Test
    void badOptionsAreOneLineWithExitCode2() {
        Result r = run("--threads", "0");
        assertEquals(2, r.exit());
        assertEquals("error: --threads must be at least 1, got 0 (see 'java -jar train.jar --help')" + System.lineSeparator(), r.err());
        r = run("boom");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void sharedOptionsParseTheSameEverywhereAndTrainDefaultsToFaceResnetAndNarrowsMobileNetV2() {
        CommandLine cli = Cli.commandLine();
        cli.parseArgs("train", "--data", "faces", "--optimizer", "SGD");
        TrainCommand train = cli.getSubcommands().get("train").getCommand();
        assertEquals(Trainer.OptimizerKind.SGD, train.optimizer);
        assertEquals(new slice.models.ModelSpec(slice.models.Architecture.FACE_RESNET, 1f, 150, false, 0), train.backbone.spec());
        assertEquals(null, train.lr, "no --lr: the backbone's default");
        assertEquals(0.01f, TrainCommand.defaultLearningRate(slice.models.Architecture.FACE_RESNET));
        assertEquals(0.001f, TrainCommand.defaultLearningRate(slice.models.Architecture.MOBILENET_V2));
        assertEquals(0.001f, TrainCommand.defaultLearningRate(slice.models.Architecture.INCEPTION_V3));

        cli = Cli.commandLine();
        cli.parseArgs("train", "--data", "faces", "--model", "mobilenetv2", "--lr", "0.003");
        train = cli.getSubcommands().get("train").getCommand();
        assertEquals(0.5f, train.backbone.shape.alpha);
        assertEquals(new slice.models.ModelSpec(slice.models.Architecture.MOBILENET_V2, 0.5f, 224, false, 0), train.backbone.spec());
        assertEquals(0.003f, train.lr);

        cli = Cli.commandLine();
        cli.parseArgs("features", "--model", "InceptionV3", "--alpha", "0.35", "--out", "f.npy", "a.jpg");
        FeaturesCommand features = cli.getSubcommands().get("features").getCommand();
        assertEquals(new slice.models.ModelSpec(slice.models.Architecture.INCEPTION_V3, 1f, 299, false, 0), features.backbone.spec());

        cli = Cli.commandLine();
        cli.parseArgs("summary", "--model", "mobilenetv2");
        assertEquals(1.0f, ((SummaryCommand) cli.getSubcommands().get("summary").getCommand()).shape.alpha);
    }

    @Test
    void theAlphaHelpListsTheWidthsOfMobileNetV2() {
        CommandLine train = Cli.commandLine().getSubcommands().get("train");
        train.setUsageHelpWidth(200);
        String help = train.getUsageMessage();
        String widths = String.join(", ", slice.models.MobileNetV2.ALPHAS.stream().map(String::valueOf).toList());
        assertTrue(help.contains("MobileNetV2 width: " + widths + " (default: 0.5)."), help);
    }

    @Test
    void aNamedCommandIsBuiltAloneAndParsesAsWithEveryCommand() {
        CommandLine all = Cli.commandLine();
        for (String name : all.getSubcommands().keySet()) {
            if (name.equals("help")) continue;
            CommandLine alone = Cli.commandLine("--threads", "2", name, "--help");
            assertEquals(java.util.List.of("help", name), java.util.List.copyOf(alone.getSubcommands().keySet()), name);
            assertEquals(all.getSubcommands().get(name).getUsageMessage(), alone.getSubcommands().get(name).getUsageMessage(), name);
        }
        CommandLine train = Cli.commandLine("--debug", "train", "--data", "faces", "--lr", "0.002");
        train.parseArgs("--debug", "train", "--data", "faces", "--lr", "0.002");
        assertEquals(0.002f, ((TrainCommand) train.getSubcommands().get("train").getCommand()).lr);
        CommandLine.ParameterException infinite = org.junit.jupiter.api.Assertions.assertThrows(CommandLine.ParameterException.class,
                () -> Cli.commandLine("train", "--lr", "Infinity").parseArgs("train", "--data", "faces", "--lr", "Infinity"));
        assertTrue(infinite.getMessage().contains("'Infinity' is not a finite float"), infinite.getMessage());
    }

    @Test
    void withoutANamedCommandEveryCommandIsThere() {
        int every = Cli.commandLine().getSubcommands().size();
        for (String[] args : new String[][] {{}, {"--help"}, {"--threads", "2"}, {"help", "train"}, {"trian", "--data", "x"}}) {
            assertEquals(every, Cli.commandLine(args).getSubcommands().size(), String.join(" ", args));
        }
        assertEquals("train", Cli.commandName("--threads", "2", "--debug", "train", "--data", "x"));
        assertEquals("train", Cli.commandName("--threads=2", "train"));
        assertEquals(null, Cli.commandName("--version"));
        StringWriter err = new StringWriter();
        CommandLine typo = Cli.commandLine("trian");
        typo.setErr(new PrintWriter(err, true));
        assertEquals(2, typo.execute("trian"));
        assertTrue(err.toString().startsWith("error: Unmatched argument at index 0: 'trian'"), err.toString());
    }
}
