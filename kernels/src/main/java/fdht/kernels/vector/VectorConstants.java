package fdht.kernels.vector;

import fdht.kernels.KernelOptions;
import fdht.kernels.KernelProvider;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The constants every vector kernel shares, fixed at class initialisation: the one float species
 * (the preferred one, or the width asked for by {@code -Dfdht.vectorBits=128|256|512}), its lane
 * count, and the byte order and layout of the floats in memory. Kept in their own holder,
 * Lucene-style, so nothing touches the incubator API before {@code KernelProvider} has checked for
 * it; {@code static final} so the JIT folds them (a species that is not costs about 9x). Public for
 * the backward kernels of the {@code train} module, which must use the very same species.
 *
 * <p>Thread safety: Constants; thread-safe.
 */
public final class VectorConstants {
    /** The float species of every kernel. */
    public static final VectorSpecies<Float> S = pick();

    /** Lanes per vector of {@link #S}. */
    public static final int L = S.length();

    /** Model files and segments hold little-endian floats. */
    public static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Scalar float access for tails. */
    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    /**
     * Rotations by 8, 4, 2 and 1 lanes ({@code i -> (i + k) % L}; those of {@code k >= L} are never
     * applied): the steps of the halving tree in which kernels sum a vector's lanes, {@code v + v
     * rotated by L/2}, then {@code L/4}, ... down to lane 0, written out in each kernel. Not {@code
     * reduceLanes(ADD)}: its order is unspecified and differs between the interpreter and C2, so
     * the same sum came out a last bit apart before and after the JIT compiled a kernel (the dense
     * head's logits; the trainer's factor gradients, which made two runs of one training command
     * end with different weights).
     */
    public static final VectorShuffle<Float> ROT_8 = rotation(8 % L),
            ROT_4 = rotation(4 % L),
            ROT_2 = rotation(2 % L),
            ROT_1 = rotation(1 % L);

    /** The JDK's class of native segments; mapped segments are a subclass of it. */
    private static final Class<? extends MemorySegment> NATIVE = MemorySegment.NULL.getClass();

    private VectorConstants() {}

    /**
     * {@code s}, typed for the JIT as a native segment; every kernel method passes its segments
     * through this first. Why: a vector or scalar access to a segment is compiled from the JDK's
     * shared access code, whose type profile is polluted once anything in the JVM has accessed a
     * heap segment (the Vector API's own interpreted {@code reinterpretAsInts} does, in every JVM
     * that runs the cell's exponential). C2 then cannot prove the base is off-heap and fences every
     * access: the stages ran 2x slower and the entry transposes 1.7x ({@code tools/StepParts.java
     * --pollute heap}). A cast to a constant class lets C2 fold the base to null again; it costs
     * one class check per call.
     *
     * @throws IllegalArgumentException if {@code s} is a heap segment
     */
    public static MemorySegment offHeap(MemorySegment s) {
        if (!NATIVE.isInstance(s))
            throw new IllegalArgumentException("the vector kernels take native segments, not " + s);
        return NATIVE.cast(s);
    }

    private static VectorShuffle<Float> rotation(int by) {
        if (L > 16)
            throw new ExceptionInInitializerError(
                    "the halving-tree lane sums take at most 16 lanes; this species has " + L);
        return VectorShuffle.fromOp(S, i -> (i + by) % L);
    }

    private static VectorSpecies<Float> pick() {
        int bits = KernelProvider.options().vectorBits(); // parsed (strictly) once, there
        if (bits == KernelOptions.PREFERRED_WIDTH) return FloatVector.SPECIES_PREFERRED;
        VectorShape shape =
                switch (bits) {
                    case 128 -> VectorShape.S_128_BIT;
                    case 256 -> VectorShape.S_256_BIT;
                    case 512 -> VectorShape.S_512_BIT;
                    default ->
                            throw new IllegalArgumentException(
                                    "fdht.vectorBits="
                                            + bits
                                            + ": expected 128, 256 or 512 (0 = scalar)");
                };
        if (shape.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
            throw new IllegalArgumentException(
                    "fdht.vectorBits="
                            + bits
                            + " exceeds this CPU's "
                            + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                            + " bits");
        }
        return VectorSpecies.of(float.class, shape);
    }
}
