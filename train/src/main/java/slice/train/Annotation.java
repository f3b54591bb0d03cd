package slice.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import slice.models.face.Box;
import slice.train.data.ImageDecoder;
import slice.weights.io.AtomicFiles;

/** {@code predict --annotate}: a photo with each face (boxes in the photo's pixels) boxed and named, written as PNG. */
final class Annotation {
    private Annotation() { }

    /**
     * Writes {@code dir/<file name>.png} atomically, replacing an earlier run's; a number is added when another photo of
     * this run ({@code written}) has the same name.
     */
    static void write(Path dir, Path file, ImageDecoder.Scaled photo, List<Box> faces, List<String> names, Set<Path> written) {
        var image = photo.image();
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, image.width(), image.height(), image.pixels(), 0, image.width());
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int stroke = Math.max(2, Math.max(image.width(), image.height()) / 400);
        g.setStroke(new BasicStroke(stroke));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(12, stroke * 7)));
        for (int i = 0; i < faces.size(); i++) {
            Box b = faces.get(i);
            int x = (int) Math.round(b.x() / photo.factor()), y = (int) Math.round(b.y() / photo.factor());
            int w = (int) Math.round(b.width() / photo.factor()), h = (int) Math.round(b.height() / photo.factor());
            boolean unknown = names.get(i).equals("unknown");
            g.setColor(unknown ? new Color(230, 60, 60) : new Color(40, 200, 90));
            g.drawRect(x, y, w, h);
            int text = g.getFontMetrics().getAscent();
            g.fillRect(x, Math.max(0, y - text - 4), g.getFontMetrics().stringWidth(names.get(i)) + 8, text + 4);
            g.setColor(Color.WHITE);
            g.drawString(names.get(i), x + 4, Math.max(text, y - 4));
        }
        g.dispose();
        try {
            Files.createDirectories(dir);
            String stem = file.getFileName().toString();
            Path target = dir.resolve(stem + ".png");
            for (int n = 2; written.contains(target); n++) target = dir.resolve(stem + "." + n + ".png");
            written.add(target);
            AtomicFiles.write(target, stream -> ImageIO.write(out, "png", stream));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
