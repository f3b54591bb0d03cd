/**
 * The data side of training: from a folder of faces to cached backbone features.
 *
 * <pre>{@code
 * Dataset data = Dataset.scan(dir);                        // validates every image; DataException on unusable data
 * data.warning().ifPresent(System.err::println);           // skipped files, listed once
 * FaceIndex faces = new FaceIndex(finder, new FaceAligner(size, 0.25), 0.5, "landmarks=full", cacheDir);
 * data = data.without(faces.locate(data.samples()), "no face found");   // --faces detect: each photo's largest face
 * Split split = Split.of(data, new Split.Config(0.15, 0.15, seed));
 * FeatureCache cache = new FeatureCache(cacheDir,
 *         new FeatureCache.Spec(modelName, Hashes.sha256Hex(weightsFile), cutLayer, size, spec.preprocessing()),
 *         Augmentation.faces(seed), faces);                  // or null without --augment; null faces: whole images
 * CachedFeatures train = cache.features(split.samples(Split.Part.TRAIN), 1 + K, extractor, batch,
 *         Progress.bar("Features"));
 * CachedFeatures val = cache.features(split.samples(Split.Part.VAL), 1, extractor, batch, Progress.bar("Features"));
 *
 * Preprocessor pre = new Preprocessor(size, spec.preprocessing());   // prediction: the same decoding and resize
 * pre.load(imageFile, batchArray, offset);
 * }</pre>
 *
 * Images: {@link slice.train.data.ImageDecoder} (formats, EXIF orientation, grey, alpha) →
 * {@link slice.train.data.Preprocessor} (PIL-style antialiased bilinear square resize, model scaling, optional
 * {@link slice.train.data.Transform} from {@link slice.train.data.Augmentation}).
 */
package slice.train.data;
