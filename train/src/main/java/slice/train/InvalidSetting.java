package slice.train;

/**
 * A setting of the training domain that cannot be used, worded for the domain: {@code epochs must be at least 1,
 * got 0}, {@code cut layer: mobilenetv2 has no layer named 'x'}. The command line rewords it with the option that set
 * it ({@code --epochs must be at least 1, got 0}).
 */
public final class InvalidSetting extends IllegalArgumentException {
    /** The settings {@link Trainer.Config}, {@link FaceModel.Head} and {@link FaceModel#build} check. */
    public enum Setting {
        EPOCHS("epochs"), BATCH("batch"), LEARNING_RATE("learning rate"), LABEL_SMOOTHING("label smoothing"),
        WEIGHT_DECAY("weight decay"), PATIENCE("patience"), HIDDEN_UNITS("hidden units"), DROPOUT("dropout"),
        CUT_LAYER("cut layer"), FINE_TUNE_LAYER("fine-tune layer"), INPUT_SIZE("input size");

        /** How the domain names it in a message. */
        public final String words;

        Setting(String words) {
            this.words = words;
        }
    }

    public final Setting setting;
    /** The message after the setting's name, e.g. {@code " must be at least 1, got 0"}. */
    public final String problem;

    public InvalidSetting(Setting setting, String problem) {
        super(setting.words + problem);
        this.setting = setting;
        this.problem = problem;
    }
}
