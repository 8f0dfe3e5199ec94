package fdht.jmh;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The machine's Vector API FMA peak on one core, the roof of the roofline: twelve independent
 * register-resident FMA chains (enough to cover two FMA pipes of latency four) on the preferred
 * species. Score is nanoseconds per vector FMA; GFLOP/s = 2 x lanes / score (32 / score at 512
 * bits).
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FmaPeakBenchmark extends NativeBenchmark {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ROUNDS = 4096;
    static final int CHAINS = 12;

    public float m = 0.999f;
    public float c = 0.001f;

    /** Lanes per vector, for turning the score into GFLOP/s. */
    public static int lanes() {
        return S.length();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS * CHAINS)
    public float fma() {
        FloatVector mv = FloatVector.broadcast(S, m), cv = FloatVector.broadcast(S, c);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < ROUNDS; i++) {
            a0 = a0.fma(mv, cv);
            a1 = a1.fma(mv, cv);
            a2 = a2.fma(mv, cv);
            a3 = a3.fma(mv, cv);
            a4 = a4.fma(mv, cv);
            a5 = a5.fma(mv, cv);
            a6 = a6.fma(mv, cv);
            a7 = a7.fma(mv, cv);
            a8 = a8.fma(mv, cv);
            a9 = a9.fma(mv, cv);
            a10 = a10.fma(mv, cv);
            a11 = a11.fma(mv, cv);
        }
        return a0.add(a1)
                .add(a2)
                .add(a3)
                .add(a4)
                .add(a5)
                .add(a6)
                .add(a7)
                .add(a8)
                .add(a9)
                .add(a10)
                .add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
