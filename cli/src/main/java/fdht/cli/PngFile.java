package fdht.cli;

import fdht.layout.io.AtomicFile;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes an XChart chart as a PNG through {@link AtomicFile}: whole or not at all. Stateless; the
 * chart must not change meanwhile.
 */
final class PngFile {
    private PngFile() {}

    static void write(Chart<?, ?> chart, Path png) {
        AtomicFile.write(
                png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
