package fdht.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The suite's JMH set-up, inherited by every benchmark (a subclass's own annotation wins): average
 * time in microseconds, two forks, each fork with the incubator Vector API and native access, and
 * an {@link #arena} for the native segments a benchmark sets up, closed at the end of the trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 2,
        jvmArgsAppend = {
            "--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED"
        })
@State(Scope.Thread)
public abstract class NativeBenchmark {
    /** Opened by the subclass's trial set-up (so it exists before anything is allocated in it). */
    protected Arena arena;

    @TearDown(Level.Trial)
    public void closeArena() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
