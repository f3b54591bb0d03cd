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
import slice.weights.FaceApiModels;
import slice.weights.KerasApplications;
import slice.weights.RemoteFile;
import slice.weights.io.SliceCache;

/** {@code weights list|fetch}: the official Keras ImageNet weight files and the face-api.js models, downloaded into the cache. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "List or download the official Keras ImageNet weights and the face-api.js models"
                + " (cache: ~/.cache/slice/keras and ~/.cache/slice/face_api, or under $SLICE_CACHE).",
        subcommands = {WeightsCommand.List.class, WeightsCommand.Fetch.class})
final class WeightsCommand {
    /** Options shared by both subcommands. */
    static final class Where {
        @Option(names = "--cache", paramLabel = "DIR",
                description = "Cache folder (default: $SLICE_CACHE or ~/.cache/slice).")
        Path cache;

        @Option(names = "--mirror", paramLabel = "URL", description = "Download from this mirror of the files' official folder, "
                + KerasApplications.BASE_URL + " or " + FaceApiModels.BASE_URL + " (same layout).")
        URI mirror;

        SliceCache cache() {
            return cache != null ? new SliceCache(cache) : SliceCache.standard();
        }

        Downloader downloader() {
            return new Downloader(cache().kerasWeights());
        }

        Downloader faceApiDownloader() {
            return new Downloader(cache().faceApiWeights());
        }

        RemoteFile located(RemoteFile f) {
            if (mirror == null) return f;
            String official = f.url().toString().startsWith(FaceApiModels.BASE_URL) ? FaceApiModels.BASE_URL : KerasApplications.BASE_URL;
            String relative = URI.create(official).relativize(f.url()).toString();
            String base = mirror.toString().endsWith("/") ? mirror.toString() : mirror + "/";
            return new RemoteFile(f.fileName(), URI.create(base).resolve(relative), f.size(), f.md5(), f.sha256());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every known weights file, its size, and whether it is cached.")
    static final class List implements Callable<Integer> {
        @Mixin Where where;

        @Override public Integer call() {
            print(KerasApplications.all(), where.downloader());
            print(FaceApiModels.all(), where.faceApiDownloader());
            return Cli.OK;
        }

        private void print(java.util.List<RemoteFile> files, Downloader d) {
            for (RemoteFile f : files) {
                Path local = d.location(f);
                String size = f.size() < 0 ? "?" : String.format(Locale.ROOT, "%,d", f.size());
                System.out.printf(Locale.ROOT, "%-72s %12s  %s%n", f.fileName(), size,
                        Files.isRegularFile(local) ? "cached " + local : where.located(f).url());
            }
        }
    }

    @Command(name = "fetch", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Download the weights of a backbone into the cache (resumes a partial download, verifies checksums).",
                    "Offline, it says which URL to fetch by other means and where to put the file."},
            footer = {"", "Examples:", "  java -jar train.jar weights fetch --model mobilenetv2 --alpha 0.5 --size 224",
                    "  java -jar train.jar weights fetch --model face-api"})
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--model", paramLabel = "NAME", defaultValue = "mobilenetv2",
                description = "mobilenetv2, inceptionv3, or " + FACE_API
                        + " (the face detector, landmark and descriptor models of face-api.js) (default: ${DEFAULT-VALUE}).")
        String model;

        @Mixin Options.Shape shape;

        @Option(names = "--top",
                description = "The file with the 1000-class ImageNet classifier (training never needs it).")
        boolean top;

        @Mixin Where where;

        @Override public Integer call() {
            if (model.equals(FACE_API)) {
                Downloader d = where.faceApiDownloader();
                for (String name : FaceApiModels.MODELS) {
                    java.util.List<RemoteFile> files = FaceApiModels.files(name);
                    for (RemoteFile f : files) download(where.located(f), d);
                    System.out.println(d.location(files.get(0))); // the manifest; its shard is beside it
                }
                return Cli.OK;
            }
            Path file = fetch(shape.spec(model), top, where);
            System.out.println(file);
            return Cli.OK;
        }
    }

    /** {@code --model} value that fetches the face-api.js models. */
    static final String FACE_API = "face-api";

    /** The cached file of {@code spec}'s ImageNet weights, downloaded first (with a progress bar) when missing. */
    static Path fetch(ModelSpec spec, boolean top, Where where) {
        RemoteFile f = where.located(KerasApplications.forModel(spec.architecture(), spec.alpha(), spec.size(), top));
        return download(f, where.downloader());
    }

    /** The cached copy of {@code f}, downloaded first (with a progress bar) when missing. */
    static Path download(RemoteFile f, Downloader d) {
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
