package slice.train;

import java.util.Optional;

/**
 * {@code java -jar train.jar <command>}: relaunches with the vector module when it is missing ({@link Relaunch}),
 * then runs the command line ({@link Cli}) and exits with its code.
 */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        if (Relaunch.wanted(args)) {
            Optional<Integer> childExit = Relaunch.run();
            if (childExit.isPresent()) System.exit(childExit.get());
        }
        Relaunch.localeWarning().ifPresent(System.err::println);
        if (Boolean.getBoolean(Relaunch.MARKER)) Relaunch.stopWithParent();
        System.exit(Cli.execute(args));
    }
}
