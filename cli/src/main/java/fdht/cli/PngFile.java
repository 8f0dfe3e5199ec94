package fdht.cli;

import fdht.layout.io.AtomicFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes an XChart chart, or an image composed of several, as a PNG through {@link AtomicFile}:
 * whole or not at all. Stateless; the chart or image must not change meanwhile.
 */
final class PngFile {
    private PngFile() {}

    static void write(Chart<?, ?> chart, Path png) {
        AtomicFile.write(
                png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    static void write(BufferedImage image, Path png) {
        AtomicFile.write(
                png,
                out -> {
                    if (!ImageIO.write(image, "png", out))
                        throw new IOException("no PNG writer in this JVM");
                });
    }
}
