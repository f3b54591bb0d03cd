package slice.train.data;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress of a long job measured in items (images): started once, advanced, finished once. */
public interface Progress {
    void start(long total);

    void advance(long items);

    void finish();

    /** Reports nothing. */
    static Progress none() {
        return new Progress() {
            @Override public void start(long total) { }
            @Override public void advance(long items) { }
            @Override public void finish() { }
        };
    }

    /** A console progress bar on stderr with rate (images/s) and ETA, e.g. for feature extraction. */
    static Progress bar(String task) {
        return new Progress() {
            private ProgressBar bar;

            @Override
            public void start(long total) {
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" img", 1).showSpeed().setUpdateIntervalMillis(500).build();
            }

            @Override
            public void advance(long items) {
                bar.stepBy(items);
            }

            @Override
            public void finish() {
                bar.close();
            }
        };
    }
}
