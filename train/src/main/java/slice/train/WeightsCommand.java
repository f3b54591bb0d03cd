package slice.train;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import slice.models.ModelSpec;
import slice.weights.Downloader;
import slice.weights.KerasApplications;
import slice.weights.RemoteFile;

/** {@code weights list|fetch}: the official Keras ImageNet weight files, downloaded into the cache. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "List or download the official Keras ImageNet weights (cache: ~/.cache/slice/keras, or $SLICE_CACHE).",
        subcommands = {WeightsCommand.List.class, WeightsCommand.Fetch.class})
final class WeightsCommand {
    /** Options shared by both subcommands. */
    static final class Where {
        @Option(names = "--cache", paramLabel = "DIR",
                description = "Cache folder (default: $SLICE_CACHE or ~/.cache/slice).")
        Path cache;

        @Option(names = "--mirror", paramLabel = "URL",
                description = "Download from this mirror of " + KerasApplications.BASE_URL + " (same layout).")
        URI mirror;

        Downloader downloader() {
            return cache != null ? new Downloader(cache) : new Downloader();
        }

        RemoteFile located(RemoteFile f) {
            if (mirror == null) return f;
            String relative = URI.create(KerasApplications.BASE_URL).relativize(f.url()).toString();
            String base = mirror.toString().endsWith("/") ? mirror.toString() : mirror + "/";
            return new RemoteFile(f.fileName(), URI.create(base).resolve(relative), f.size(), f.md5(), f.sha256());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every known weights file, its size, and whether it is cached.")
    static final class List implements Callable<Integer> {
        @Mixin Where where;

        @Override public Integer call() {
            Downloader d = where.downloader();
            for (RemoteFile f : KerasApplications.all()) {
                Path local = d.location(f);
                String size = f.size() < 0 ? "?" : String.format(Locale.ROOT, "%,d", f.size());
                System.out.printf(Locale.ROOT, "%-72s %12s  %s%n", f.fileName(), size,
                        Files.isRegularFile(local) ? "cached " + local : where.located(f).url());
            }
            return Cli.OK;
        }
    }

    @Command(name = "fetch", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Download the weights of a backbone into the cache (resumes a partial download, verifies checksums).",
                    "Offline, it says which URL to fetch by other means and where to put the file."},
            footer = {"", "Example:", "  java -jar train.jar weights fetch --model mobilenetv2 --alpha 0.5 --size 224"})
    static final class Fetch implements Callable<Integer> {
        @Mixin Options.Backbone backbone;

        @Option(names = "--top",
                description = "The file with the 1000-class ImageNet classifier (training never needs it).")
        boolean top;

        @Mixin Where where;

        @Override public Integer call() {
            Path file = fetch(backbone.spec(), top, where);
            System.out.println(file);
            return Cli.OK;
        }
    }

    /** The cached file of {@code spec}'s ImageNet weights, downloaded first (with a progress bar) when missing. */
    static Path fetch(ModelSpec spec, boolean top, Where where) {
        RemoteFile f = where.located(KerasApplications.forModel(spec.architecture().id, spec.alpha(), spec.size(), top));
        Downloader d = where.downloader();
        if (Files.isRegularFile(d.location(f))) return d.fetch(f, Downloader.Progress.NONE);
        System.err.println("downloading " + f.url());
        ProgressBar[] bar = new ProgressBar[1];
        try {
            return d.fetch(f, (done, total) -> {
                if (bar[0] == null) {
                    bar[0] = new ProgressBarBuilder().setTaskName(f.fileName()).setInitialMax(Math.max(total, 0))
                            .setStyle(ProgressBarStyle.ASCII)
                            .setUnit(" MB", 1 << 20).showSpeed().setUpdateIntervalMillis(500).build();
                }
                bar[0].stepTo(done);
            });
        } finally {
            if (bar[0] != null) bar[0].close();
        }
    }
}
