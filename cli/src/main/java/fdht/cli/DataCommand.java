package fdht.cli;

import fdht.layout.io.AtomicOutputs;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import fdht.train.data.MfmPart;
import fdht.train.data.MfmTask;
import fdht.train.data.MovingFashionMnist;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht data}: writes data sets as {@code .npy}, so any tool (and {@code fdht infer}, {@code
 * fdht eval}) can read them. {@code fdht data mfm} writes MFM-40 or MFM-40-UCF clips
 * (docs/MFM40.md) streamed a chunk at a time: memory stays at one chunk whatever the count. Clips
 * and labels appear together or not at all ({@link AtomicOutputs}).
 */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Write data sets as .npy files.",
        subcommands = {DataCommand.Mfm.class})
final class DataCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code fdht data mfm}: MFM-40 clips and labels of one split. */
    @Command(
            name = "mfm",
            mixinStandardHelpOptions = true,
            description =
                    "Write MFM-40 (Moving-Fashion-MNIST, docs/MFM40.md) clips [N, 8, 4096] float32 (MFM-40-UCF: [N, 8, 57600]) and labels [N] int64 to DIR/clips.npy and DIR/labels.npy.")
    static final class Mfm implements Callable<Integer> {
        private static final int CHUNK_BYTES = 8 << 20; // clips per chunk: 8 MB of them

        @Option(
                names = "--task",
                defaultValue = "mfm",
                description =
                        "mfm (MFM-40, 64x64 frames) or mfm-ucf (MFM-40-UCF, 240x240). Default ${DEFAULT-VALUE}.")
        String task;

        @Option(
                names = "--split",
                defaultValue = "test",
                description =
                        "train, fit (train images 0..53,999), val (54,000..59,999) or test: clips are made from those images only. Default ${DEFAULT-VALUE}.")
        String split;

        @Option(names = "--count", required = true, description = "number of clips N (128 KB each)")
        long count;

        @Option(
                names = "--seed",
                defaultValue = "0",
                description =
                        "seed: clip i depends only on split, seed and i. Default ${DEFAULT-VALUE}.")
        long seed;

        @Option(
                names = "--out",
                required = true,
                description =
                        "directory to write clips.npy and labels.npy into (created if missing)")
        Path out;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter pw = spec.commandLine().getOut();
            MfmTask t = MfmTask.parse(task);
            MfmPart part = MfmPart.parse(split);
            if (count < 1 || count > Integer.MAX_VALUE)
                throw new IllegalArgumentException(
                        "--count " + count + " must be in 1.." + Integer.MAX_VALUE);
            try (AtomicOutputs outputs = new AtomicOutputs()) {
                Path clipsFile = outputs.fileIn(out, "clips.npy"),
                        labelsFile = outputs.fileIn(out, "labels.npy");
                MovingFashionMnist mfm = MovingFashionMnist.load(t, part, seed);
                double sec = write(mfm, clipsFile, labelsFile, outputs);
                outputs.commit();
                pw.printf(
                        "wrote %,d clips of %s in %.1f s: %s [%d, 8, %d] float32, %s [%d] int64 (labels 4 * class + direction, 0..39)%n",
                        count, mfm, sec, clipsFile, count, t.frameSize(), labelsFile, count);
            }
            return 0;
        }

        /** Writes the clips and labels to their staging files; returns the seconds it took. */
        private double write(
                MovingFashionMnist mfm, Path clipsFile, Path labelsFile, AtomicOutputs outputs) {
            long clipBytes = (long) MovingFashionMnist.FRAMES * mfm.frameSize() * Float.BYTES;
            long bytes = count * clipBytes;
            int chunk = (int) Math.max(1, CHUNK_BYTES / clipBytes);
            long free;
            try {
                free = Files.getFileStore(out).getUsableSpace();
            } catch (IOException e) {
                throw new ModelFileException(out, null, "cannot read its free space: " + e, e);
            }
            if (free < bytes + (1 << 20)) {
                throw new ModelFileException(
                        out,
                        null,
                        String.format(
                                "%,d clips need %,d MB but only %,d MB are free",
                                count, bytes >> 20, free >> 20));
            }
            long t0 = System.nanoTime();
            long[] labels = new long[(int) count];
            int[] chunkLabels = new int[chunk];
            NpyFile.write(
                    outputs.staging(clipsFile),
                    new long[] {count, MovingFashionMnist.FRAMES, mfm.frameSize()},
                    chunk,
                    (first, n, rows) -> {
                        mfm.fill(first, n, rows, chunkLabels);
                        for (int j = 0; j < n; j++) labels[(int) first + j] = chunkLabels[j];
                    });
            NpyFile.writeInt64(
                    outputs.staging(labelsFile), new long[] {count}, MemorySegment.ofArray(labels));
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
