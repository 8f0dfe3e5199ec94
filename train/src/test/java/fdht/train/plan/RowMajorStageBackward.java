package fdht.train.plan;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The row-major stage backward the trainer ran before the lane layout (one batch row's stage input
 * {@code [rowBase[p] + cOff[c]]}, its output {@code [p*Q + k]}), kept as the tests' reference for
 * the lane kernels: plain loops in the order the definitions read, each sum in {@code float}.
 */
final class RowMajorStageBackward {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private RowMajorStageBackward() {}

    /** {@code dIn[dInOff + rowBase[p] + cOff[c]] = sum_k dOut[dOutOff + p*Q + k] * F[c*Q + k]}. */
    static void input(
            CompiledPlan.Step st,
            MemorySegment factors,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dIn,
            long dInOff) {
        int p = st.p(), c = st.c(), q = st.q();
        long f0 = st.factorOffset();
        for (int r = 0; r < p; r++) {
            for (int j = 0; j < c; j++) {
                float sum = 0f;
                for (int k = 0; k < q; k++)
                    sum +=
                            dOut.getAtIndex(F, dOutOff + (long) r * q + k)
                                    * factors.getAtIndex(F, f0 + (long) j * q + k);
                dIn.setAtIndex(F, dInOff + st.rowBase(r) + st.contractedOffset(j), sum);
            }
        }
    }

    /** {@code dF[c*Q + k] += sum_p in[inOff + rowBase[p] + cOff[c]] * dOut[dOutOff + p*Q + k]}. */
    static void factor(
            CompiledPlan.Step st,
            MemorySegment in,
            long inOff,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dFactors) {
        int p = st.p(), c = st.c(), q = st.q();
        long f0 = st.factorOffset();
        for (int j = 0; j < c; j++) {
            for (int k = 0; k < q; k++) {
                float sum = 0f;
                for (int r = 0; r < p; r++)
                    sum +=
                            in.getAtIndex(F, inOff + st.rowBase(r) + st.contractedOffset(j))
                                    * dOut.getAtIndex(F, dOutOff + (long) r * q + k);
                long at = f0 + (long) j * q + k;
                dFactors.setAtIndex(F, at, dFactors.getAtIndex(F, at) + sum);
            }
        }
    }
}
