package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Model files written before stay readable. {@code written-2026-12-06/} holds a model that {@code train} of commit
 * f2acf0a wrote ({@code --data} AT&T s1–s3, {@code --alpha 0.35 --size 32 --cut block_2_add --hidden 8 --epochs 3
 * --batch 8}, the Keras α0.35 weights), and {@code answers.tsv} what that commit's {@link Recogniser} answered for
 * twelve images: every probability and unknown score, printed with {@link Float#toString}. Loading it now must give
 * the same numbers, bit for bit.
 */
class OldModelFileTest {
    private static final Path DIR = Path.of("src/test/resources/slice/train/written-2026-12-06");

    @Test
    void aModelWrittenByAnEarlierVersionLoadsAndAnswersAsItDid() throws IOException {
        Path faces = RealData.attFaces();
        Recogniser r = Recogniser.load(DIR, new FaceOptions());
        assertEquals(List.of("s1", "s2", "s3"), r.classes);
        List<String[]> expected = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("answers.tsv"))) if (!line.startsWith("#")) expected.add(line.split("\t"));
        List<Path> files = new ArrayList<>();
        for (String[] row : expected) files.add(faces.resolve(row[0]));
        String[] errors = new String[files.size()];
        Recogniser.Answers answers = r.answers(files, errors);
        for (int i = 0; i < expected.size(); i++) {
            String[] row = expected.get(i);
            for (int j = 0; j < 3; j++) assertEquals(row[1 + j], Float.toString(answers.probs()[3 * i + j]), row[0] + " class " + j);
            assertEquals(row[4], Float.toString(answers.scores()[i]), row[0] + " unknown score");
        }
    }
}
