package slice.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import slice.weights.io.AtomicFiles;

/** The two pictures of a training run, drawn with Java2D (headless): learning curves and the confusion matrix. */
public final class Charts {
    private static final Color TRAIN = new Color(0x1f77b4), VAL = new Color(0xff7f0e), GRID = new Color(0xdddddd);

    private Charts() { }

    /** {@code curves.png}: loss (left) and accuracy (right) per epoch, training and validation, best epoch marked. */
    public static void curves(List<EpochStats> history, int bestEpoch, Path file) throws IOException {
        int w = 1000, h = 420;
        BufferedImage img = canvas(w, h);
        Graphics2D g = graphics(img);
        panel(g, 0, w / 2, h, "loss", history, bestEpoch, EpochStats::loss, EpochStats::valLoss, false);
        panel(g, w / 2, w / 2, h, "accuracy", history, bestEpoch, EpochStats::accuracy, EpochStats::valAccuracy, true);
        g.dispose();
        write(img, file);
    }

    private static void panel(Graphics2D g, int x0, int w, int h, String title, List<EpochStats> history, int bestEpoch,
                              ToDoubleFunction<EpochStats> train, ToDoubleFunction<EpochStats> val, boolean unitRange) {
        int left = x0 + 60, right = x0 + w - 20, top = 40, bottom = h - 50;
        double lo = 0, hi = 1;
        if (!unitRange) {
            hi = history.stream().mapToDouble(s -> Math.max(train.applyAsDouble(s), val.applyAsDouble(s))).max().orElse(1) * 1.05;
            if (!(hi > 0)) hi = 1;
        }
        int epochs = Math.max(2, history.size());
        g.setColor(Color.BLACK);
        g.drawString(title, left, top - 15);
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            int y = bottom - (int) Math.round((bottom - top) * (v - lo) / (hi - lo));
            g.setColor(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(unitRange ? String.format(Locale.ROOT, "%.0f%%", 100 * v) : String.format(Locale.ROOT, "%.2f", v), x0 + 8, y + 4);
        }
        for (int e = 1; e <= history.size(); e += Math.max(1, history.size() / 10)) {
            int x = left + (right - left) * (e - 1) / (epochs - 1);
            g.drawString(Integer.toString(e), x - 4, bottom + 18);
        }
        g.drawString("epoch", (left + right) / 2 - 15, bottom + 38);
        g.drawRect(left, top, right - left, bottom - top);
        if (bestEpoch >= 1) {
            int x = left + (right - left) * (bestEpoch - 1) / (epochs - 1);
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
            g.drawLine(x, top, x, bottom);
            g.drawString("best", x + 34 < right ? x + 3 : x - 30, top + 14);
        }
        int legendX = right - 110;
        for (int series = 0; series < 2; series++) {
            ToDoubleFunction<EpochStats> f = series == 0 ? train : val;
            Path2D.Double line = new Path2D.Double();
            for (int i = 0; i < history.size(); i++) {
                double x = left + (double) (right - left) * i / (epochs - 1);
                double y = bottom - (bottom - top) * (Math.min(hi, f.applyAsDouble(history.get(i))) - lo) / (hi - lo);
                if (i == 0) line.moveTo(x, y);
                else line.lineTo(x, y);
            }
            g.setColor(series == 0 ? TRAIN : VAL);
            g.setStroke(new BasicStroke(2));
            g.draw(line);
            if (history.size() == 1) g.fillOval((int) line.getCurrentPoint().getX() - 3, (int) line.getCurrentPoint().getY() - 3, 6, 6);
            int ly = top + 16 + 18 * series + (unitRange ? bottom - top - 60 : 0);
            g.drawLine(legendX, ly - 4, legendX + 20, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(series == 0 ? "training" : "validation", legendX + 26, ly);
        }
        g.setStroke(new BasicStroke(1));
    }

    /** {@code confusion.png}: rows are true classes, columns predictions; cell shade = fraction of the row. */
    public static void confusion(Metrics m, Path file) throws IOException {
        int k = m.classes().size();
        int cell = Math.max(8, Math.min(40, 800 / Math.max(1, k)));
        int label = 8 + m.classes().stream().mapToInt(String::length).max().orElse(1) * Math.min(7, cell / 2 + 2);
        int size = label + k * cell + 20;
        BufferedImage img = canvas(size, size + 30);
        Graphics2D g = graphics(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(12, Math.max(7, cell - 4))));
        g.setColor(Color.BLACK);
        g.drawString("confusion matrix (rows: true, columns: predicted) — " + m.accuracyLine(), 8, 16);
        int y0 = label + 30, x0 = label;
        for (int t = 0; t < k; t++) {
            int rowTotal = 0;
            for (int p = 0; p < k; p++) rowTotal += m.confusion()[t][p];
            for (int p = 0; p < k; p++) {
                int c = m.confusion()[t][p];
                float share = rowTotal == 0 ? 0 : (float) c / rowTotal;
                g.setColor(c == 0 ? Color.WHITE
                        : t == p ? blend(new Color(0x2ca02c), share) : blend(new Color(0xd62728), Math.max(0.25f, share)));
                g.fillRect(x0 + p * cell, y0 + t * cell, cell, cell);
                if (c > 0 && cell >= 16) {
                    g.setColor(share > 0.6f ? Color.WHITE : Color.BLACK);
                    g.drawString(Integer.toString(c), x0 + p * cell + 3, y0 + t * cell + cell - 4);
                }
            }
            g.setColor(Color.BLACK);
            String name = m.classes().get(t);
            g.drawString(name, x0 - 4 - g.getFontMetrics().stringWidth(name), y0 + t * cell + cell - 3);
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2, x0 + t * cell + cell - 3, y0 - 4);
            g.drawString(name, x0 + t * cell + cell - 3, y0 - 4);
            g.setTransform(saved);
        }
        g.setColor(GRID);
        g.drawRect(x0, y0, k * cell, k * cell);
        g.dispose();
        write(img, file);
    }

    private static Color blend(Color c, float strength) {
        float s = Math.max(0, Math.min(1, strength));
        return new Color(Math.round(255 + (c.getRed() - 255) * s), Math.round(255 + (c.getGreen() - 255) * s),
                Math.round(255 + (c.getBlue() - 255) * s));
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return g;
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        });
    }
}
