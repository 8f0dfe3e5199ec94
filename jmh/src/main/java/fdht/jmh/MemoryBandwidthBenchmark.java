package fdht.jmh;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * The machine's memory read bandwidth on one core, the roofline's slanted roof: a Vector API sum
 * over a native segment far larger than the caches ({@link #BYTES}), eight independent
 * accumulators. Score is microseconds per pass; GB/s = {@code BYTES / score / 1000}.
 */
public class MemoryBandwidthBenchmark extends NativeBenchmark {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** 512 MiB: 500x a Zen 5 core's L2, 16x its L3 slice. */
    public static final long BYTES = 512L << 20;

    private MemorySegment data;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = Weights.floats(arena, BYTES / Float.BYTES);
        for (long e = 0; e < BYTES / Float.BYTES; e += 1024)
            Weights.set(data, e, 1f); // touch every page
    }

    @Benchmark
    public float read() {
        final long step = (long) S.length() * Float.BYTES;
        FloatVector a0 = FloatVector.zero(S),
                a1 = a0,
                a2 = a0,
                a3 = a0,
                a4 = a0,
                a5 = a0,
                a6 = a0,
                a7 = a0;
        MemorySegment d = data;
        for (long o = 0; o + 8 * step <= BYTES; o += 8 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(S, d, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(S, d, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(S, d, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(S, d, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
            a4 = a4.add(FloatVector.fromMemorySegment(S, d, o + 4 * step, ByteOrder.LITTLE_ENDIAN));
            a5 = a5.add(FloatVector.fromMemorySegment(S, d, o + 5 * step, ByteOrder.LITTLE_ENDIAN));
            a6 = a6.add(FloatVector.fromMemorySegment(S, d, o + 6 * step, ByteOrder.LITTLE_ENDIAN));
            a7 = a7.add(FloatVector.fromMemorySegment(S, d, o + 7 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1)
                .add(a2)
                .add(a3)
                .add(a4)
                .add(a5)
                .add(a6)
                .add(a7)
                .reduceLanes(VectorOperators.ADD);
    }
}
