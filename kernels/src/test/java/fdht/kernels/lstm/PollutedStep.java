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
 * seconds have passed, long enough for C2 to compile the kernels.
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
        System.out.println("polluted steps done");
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
