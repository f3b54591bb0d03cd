package slice.train;

/**
 * A setting of the training domain (a {@link Trainer.Config} field, a {@link FaceModel.Head} field, a layer name) that
 * cannot be used, worded for the domain: {@code setting} is what is wrong ({@code epochs}, {@code cut layer}) and the
 * message is {@code setting + problem}, e.g. {@code epochs must be at least 1, got 0}. The command line rewords it
 * with the option's name ({@code --epochs must be at least 1, got 0}).
 */
public final class InvalidSetting extends IllegalArgumentException {
    public final String setting, problem;

    public InvalidSetting(String setting, String problem) {
        super(setting + problem);
        this.setting = setting;
        this.problem = problem;
    }
}
