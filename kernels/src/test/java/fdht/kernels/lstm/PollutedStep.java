package fdht.kernels.lstm;

import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The main of {@link StepCompileTest}'s child JVM: first loads and stores floats, as vectors and
 * one at a time, on a heap segment and on a confined arena's segment, as an application embedding
 * fdht may (so the JDK's shared segment-access code has those types in its profile when C2 compiles
 * the kernels), then runs FDHT-LSTM-UCF rank-4 steps at batch 1 and 16 until {@code args[0]}
 * seconds have passed, long enough for C2 to compile the kernels; then a dense and an HT-on-{@code
 * W_x} LSTM whose rows have tails (1,036 columns) at batch 1, 3 and 16, printing for each the
 * fewest bytes one round of 200 steps allocated ({@code "allocated <what> <bytes>"}), rounds
 * repeated until one allocates nothing or 90 s have passed (C2 compiles late on a loaded machine: a
 * build sharing two cores with other JVMs once took more than 20 s to compile the batch-16 dense
 * step).
 */
public final class PollutedStep {
    private PollutedStep() {}

    public static void main(String[] args) {
        long seconds = Long.parseLong(args[0]);
        touch(MemorySegment.ofArray(new float[64]));
        try (Arena confined = Arena.ofConfined()) {
            touch(confined.allocate(256, 64));
        }
        try (Arena arena = Arena.ofShared()) {
            HtFormat f = HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4);
            Lstm lstm = Lstm.fdht(HtMatrix.random(f, 2022, arena), 57_600, new float[1024], arena);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            for (int batch : new int[] {1, 16}) {
                MemorySegment frames = Weights.floats(arena, batch * 57_600L);
                for (long i = 0; i < batch * 57_600L; i++)
                    Weights.set(frames, i, (float) Math.sin(i));
                LstmState state = lstm.newState(batch, arena);
                LstmWorkspace work = lstm.newWorkspace(batch, arena);
                long stop = batch == 1 ? System.nanoTime() + (end - System.nanoTime()) / 2 : end;
                while (System.nanoTime() < stop) lstm.step(frames, 0, 57_600, state, work);
            }
        }
        try (Arena arena = Arena.ofShared()) {
            int in = 1000, hidden = 36;
            MemorySegment w = Weights.floats(arena, 4L * hidden * (in + hidden));
            for (long i = 0; i < 4L * hidden * (in + hidden); i++)
                Weights.set(w, i, (float) Math.sin(i) / 30);
            MemorySegment wh = Weights.floats(arena, 4L * hidden * hidden);
            for (long i = 0; i < 4L * hidden * hidden; i++)
                Weights.set(wh, i, (float) Math.cos(i) / 6);
            HtFormat fx = HtFormat.uniform(new int[] {9, 4, 4}, new int[] {10, 10, 10}, 3);
            Lstm dense = Lstm.dense(w, in, hidden, new float[4 * hidden], arena);
            Lstm htInput =
                    Lstm.htInput(
                            HtMatrix.random(fx, 7, arena), wh, in, new float[4 * hidden], arena);
            for (int batch : new int[] {1, 3, 16}) {
                System.out.println(
                        "allocated dense-b"
                                + batch
                                + " "
                                + leastAllocated(dense, in, batch, arena));
                System.out.println(
                        "allocated htInput-b"
                                + batch
                                + " "
                                + leastAllocated(htInput, in, batch, arena));
            }
        }
        System.out.println("polluted steps done");
    }

    private static long leastAllocated(Lstm lstm, int input, int batch, Arena arena) {
        var threads =
                (com.sun.management.ThreadMXBean)
                        java.lang.management.ManagementFactory.getThreadMXBean();
        MemorySegment frames = Weights.floats(arena, (long) batch * input);
        for (long i = 0; i < (long) batch * input; i++) Weights.set(frames, i, (float) Math.sin(i));
        LstmState state = lstm.newState(batch, arena);
        LstmWorkspace work = lstm.newWorkspace(batch, arena);
        long least = Long.MAX_VALUE, stop = System.nanoTime() + 90_000_000_000L;
        while (least > 0 && System.nanoTime() < stop) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200; i++) lstm.step(frames, 0, input, state, work);
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }
        return least;
    }

    private static void touch(MemorySegment s) {
        var species = FloatVector.SPECIES_PREFERRED;
        float sink = 0;
        for (int i = 0; i < 100_000; i++) {
            sink += FloatVector.fromMemorySegment(species, s, 0, ByteOrder.LITTLE_ENDIAN).lane(0);
            FloatVector.zero(species).intoMemorySegment(s, 0, ByteOrder.LITTLE_ENDIAN);
            sink += s.getAtIndex(ValueLayout.JAVA_FLOAT, i & 7);
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i & 7, sink);
        }
        if (sink == 42) System.out.println("(never)");
    }
}
