package fdht.jmh;

import org.openjdk.jmh.annotations.Param;

/** A benchmark over the two workloads ({@link BenchModel}) at HT ranks 4 and 8. */
public abstract class ModelBenchmark extends NativeBenchmark {
    @Param({"ucf", "youtube"})
    public String model;

    @Param({"4", "8"})
    public int rank;
}
