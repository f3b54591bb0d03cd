package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.train.data.Dataset;
import slice.train.data.Sample;
import slice.train.data.Split;

/** {@code split.tsv}: names holding a tab, a newline or a backslash are escaped, so every line reads back as written. */
class SplitTableTest {
    @TempDir Path tmp;

    /** The inverse of {@link TrainCommand#tsvField}, as the peer ({@code train/peer/torch_transfer.py}) reads a field. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = field.charAt(++i);
            out.append(e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e);
        }
        return out.toString();
    }

    @Test
    void everyLineReadsBackAsTheFileAndPersonItNames() throws Exception {
        Path faces = tmp.resolve("faces");
        for (int i = 0; i < 3; i++) {
            BadInputTest.png(faces.resolve("Ann\tLee/" + i + ".png"), 0xff0000 + i);
            BadInputTest.png(faces.resolve("Bob\\Ray/photo\n" + i + ".png"), 0x0000ff + i);
        }
        Dataset d = Dataset.scan(faces);
        Split split = Split.of(d, new Split.Config(0.1, 0.2, 1));
        String table = TrainCommand.splitTable(d, d.classes(), split);

        List<String> lines = table.lines().toList();
        assertEquals("# path\tperson\tpart", lines.get(0));
        List<List<String>> expected = new ArrayList<>(), read = new ArrayList<>();
        for (int i = 0; i < d.samples().size(); i++) {
            Sample s = d.samples().get(i);
            expected.add(List.of(s.file().toAbsolutePath().toString(), d.classes().get(s.label()), split.part(i).name().toLowerCase()));
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split("\t", -1);
            assertEquals(3, fields.length, line);
            read.add(List.of(unescape(fields[0]), unescape(fields[1]), fields[2]));
        }
        assertEquals(expected, read);
        assertEquals(List.of("Ann\tLee", "Bob\\Ray"), d.classes());
    }
}
