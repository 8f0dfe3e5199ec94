package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Packs {@code L} row-major rows into the lane layout ({@code dst[e*L + l] = row_l[e]}): {@code L x
 * L} blocks loaded as whole rows, transposed in registers by {@code log2 L} rounds of two-source
 * lane shuffles (round {@code d} swaps the off-diagonal {@code d x d} blocks of every {@code 2d x
 * 2d} block), stored as whole lane vectors. One pass, {@code 2 log2 L} shuffles per vector; a
 * scalar tail for the last {@code n mod L} columns. Written out per width (16, 8, 4 lanes): vectors
 * held in an array would be boxed.
 */
final class VectorLaneTranspose {
    private static final long VB = (long) L * Float.BYTES;

    /**
     * Round {@code r} (blocks of {@code d = L >> (r+1)}): LO keeps row i's lanes outside the
     * d-blocks and takes row j's, HI the other half; indices >= L pick from the second vector.
     * Fields, not an array: C2 takes a shuffle from a static final field as a constant. Rounds past
     * log2 L are never used at that width.
     */
    private static final VectorShuffle<Float> LO0 = shuffle(0, true),
            LO1 = shuffle(1, true),
            LO2 = shuffle(2, true),
            LO3 = shuffle(3, true);

    private static final VectorShuffle<Float> HI0 = shuffle(0, false),
            HI1 = shuffle(1, false),
            HI2 = shuffle(2, false),
            HI3 = shuffle(3, false);

    private VectorLaneTranspose() {}

    private static VectorShuffle<Float> shuffle(int round, boolean low) {
        int d = Math.max(1, L >> (round + 1));
        int[] idx = new int[L];
        for (int k = 0; k < L; k++) {
            boolean keep = (k & d) == 0;
            // new_i[k] = keep ? v_i[k] : v_j[k-d];  new_j[k] = keep ? v_i[k+d] : v_j[k]
            idx[k] = low ? (keep ? k : L + k - d) : (keep ? k + d : L + k);
        }
        return VectorShuffle.fromArray(S, idx, 0);
    }

    static void toLanes(
            MemorySegment src, long srcOff, long srcStride, int n, MemorySegment dst, long dstOff) {
        final long rowBytes = srcStride * Float.BYTES;
        int e = 0;
        for (; e + L <= n; e += L) {
            long s = (srcOff + e) * Float.BYTES, d = (dstOff + (long) e * L) * Float.BYTES;
            switch (L) { // L is a constant: C2 keeps one case
                case 16 -> block16(src, s, rowBytes, dst, d);
                case 8 -> block8(src, s, rowBytes, dst, d);
                default -> block4(src, s, rowBytes, dst, d);
            }
        }
        for (; e < n; e++) {
            for (int l = 0; l < L; l++)
                dst.setAtIndex(
                        F32,
                        dstOff + (long) e * L + l,
                        src.getAtIndex(F32, srcOff + l * srcStride + e));
        }
    }

    /** One 16 x 16 block (used when L = 16). */
    private static void block16(
            MemorySegment src, long s, long rowBytes, MemorySegment dst, long d) {
        FloatVector v0 = FloatVector.fromMemorySegment(S, src, s + 0 * rowBytes, LE);
        FloatVector v1 = FloatVector.fromMemorySegment(S, src, s + 1 * rowBytes, LE);
        FloatVector v2 = FloatVector.fromMemorySegment(S, src, s + 2 * rowBytes, LE);
        FloatVector v3 = FloatVector.fromMemorySegment(S, src, s + 3 * rowBytes, LE);
        FloatVector v4 = FloatVector.fromMemorySegment(S, src, s + 4 * rowBytes, LE);
        FloatVector v5 = FloatVector.fromMemorySegment(S, src, s + 5 * rowBytes, LE);
        FloatVector v6 = FloatVector.fromMemorySegment(S, src, s + 6 * rowBytes, LE);
        FloatVector v7 = FloatVector.fromMemorySegment(S, src, s + 7 * rowBytes, LE);
        FloatVector v8 = FloatVector.fromMemorySegment(S, src, s + 8 * rowBytes, LE);
        FloatVector v9 = FloatVector.fromMemorySegment(S, src, s + 9 * rowBytes, LE);
        FloatVector v10 = FloatVector.fromMemorySegment(S, src, s + 10 * rowBytes, LE);
        FloatVector v11 = FloatVector.fromMemorySegment(S, src, s + 11 * rowBytes, LE);
        FloatVector v12 = FloatVector.fromMemorySegment(S, src, s + 12 * rowBytes, LE);
        FloatVector v13 = FloatVector.fromMemorySegment(S, src, s + 13 * rowBytes, LE);
        FloatVector v14 = FloatVector.fromMemorySegment(S, src, s + 14 * rowBytes, LE);
        FloatVector v15 = FloatVector.fromMemorySegment(S, src, s + 15 * rowBytes, LE);
        FloatVector t;
        // round 0: swap the off-diagonal 8 x 8 blocks
        t = v0;
        v0 = t.rearrange(LO0, v8);
        v8 = t.rearrange(HI0, v8);
        t = v1;
        v1 = t.rearrange(LO0, v9);
        v9 = t.rearrange(HI0, v9);
        t = v2;
        v2 = t.rearrange(LO0, v10);
        v10 = t.rearrange(HI0, v10);
        t = v3;
        v3 = t.rearrange(LO0, v11);
        v11 = t.rearrange(HI0, v11);
        t = v4;
        v4 = t.rearrange(LO0, v12);
        v12 = t.rearrange(HI0, v12);
        t = v5;
        v5 = t.rearrange(LO0, v13);
        v13 = t.rearrange(HI0, v13);
        t = v6;
        v6 = t.rearrange(LO0, v14);
        v14 = t.rearrange(HI0, v14);
        t = v7;
        v7 = t.rearrange(LO0, v15);
        v15 = t.rearrange(HI0, v15);
        // round 1: swap the off-diagonal 4 x 4 blocks
        t = v0;
        v0 = t.rearrange(LO1, v4);
        v4 = t.rearrange(HI1, v4);
        t = v1;
        v1 = t.rearrange(LO1, v5);
        v5 = t.rearrange(HI1, v5);
        t = v2;
        v2 = t.rearrange(LO1, v6);
        v6 = t.rearrange(HI1, v6);
        t = v3;
        v3 = t.rearrange(LO1, v7);
        v7 = t.rearrange(HI1, v7);
        t = v8;
        v8 = t.rearrange(LO1, v12);
        v12 = t.rearrange(HI1, v12);
        t = v9;
        v9 = t.rearrange(LO1, v13);
        v13 = t.rearrange(HI1, v13);
        t = v10;
        v10 = t.rearrange(LO1, v14);
        v14 = t.rearrange(HI1, v14);
        t = v11;
        v11 = t.rearrange(LO1, v15);
        v15 = t.rearrange(HI1, v15);
        // round 2: swap the off-diagonal 2 x 2 blocks
        t = v0;
        v0 = t.rearrange(LO2, v2);
        v2 = t.rearrange(HI2, v2);
        t = v1;
        v1 = t.rearrange(LO2, v3);
        v3 = t.rearrange(HI2, v3);
        t = v4;
        v4 = t.rearrange(LO2, v6);
        v6 = t.rearrange(HI2, v6);
        t = v5;
        v5 = t.rearrange(LO2, v7);
        v7 = t.rearrange(HI2, v7);
        t = v8;
        v8 = t.rearrange(LO2, v10);
        v10 = t.rearrange(HI2, v10);
        t = v9;
        v9 = t.rearrange(LO2, v11);
        v11 = t.rearrange(HI2, v11);
        t = v12;
        v12 = t.rearrange(LO2, v14);
        v14 = t.rearrange(HI2, v14);
        t = v13;
        v13 = t.rearrange(LO2, v15);
        v15 = t.rearrange(HI2, v15);
        // round 3: swap the off-diagonal 1 x 1 blocks
        t = v0;
        v0 = t.rearrange(LO3, v1);
        v1 = t.rearrange(HI3, v1);
        t = v2;
        v2 = t.rearrange(LO3, v3);
        v3 = t.rearrange(HI3, v3);
        t = v4;
        v4 = t.rearrange(LO3, v5);
        v5 = t.rearrange(HI3, v5);
        t = v6;
        v6 = t.rearrange(LO3, v7);
        v7 = t.rearrange(HI3, v7);
        t = v8;
        v8 = t.rearrange(LO3, v9);
        v9 = t.rearrange(HI3, v9);
        t = v10;
        v10 = t.rearrange(LO3, v11);
        v11 = t.rearrange(HI3, v11);
        t = v12;
        v12 = t.rearrange(LO3, v13);
        v13 = t.rearrange(HI3, v13);
        t = v14;
        v14 = t.rearrange(LO3, v15);
        v15 = t.rearrange(HI3, v15);
        v0.intoMemorySegment(dst, d + 0 * VB, LE);
        v1.intoMemorySegment(dst, d + 1 * VB, LE);
        v2.intoMemorySegment(dst, d + 2 * VB, LE);
        v3.intoMemorySegment(dst, d + 3 * VB, LE);
        v4.intoMemorySegment(dst, d + 4 * VB, LE);
        v5.intoMemorySegment(dst, d + 5 * VB, LE);
        v6.intoMemorySegment(dst, d + 6 * VB, LE);
        v7.intoMemorySegment(dst, d + 7 * VB, LE);
        v8.intoMemorySegment(dst, d + 8 * VB, LE);
        v9.intoMemorySegment(dst, d + 9 * VB, LE);
        v10.intoMemorySegment(dst, d + 10 * VB, LE);
        v11.intoMemorySegment(dst, d + 11 * VB, LE);
        v12.intoMemorySegment(dst, d + 12 * VB, LE);
        v13.intoMemorySegment(dst, d + 13 * VB, LE);
        v14.intoMemorySegment(dst, d + 14 * VB, LE);
        v15.intoMemorySegment(dst, d + 15 * VB, LE);
    }

    /** One 8 x 8 block (used when L = 8). */
    private static void block8(
            MemorySegment src, long s, long rowBytes, MemorySegment dst, long d) {
        FloatVector v0 = FloatVector.fromMemorySegment(S, src, s + 0 * rowBytes, LE);
        FloatVector v1 = FloatVector.fromMemorySegment(S, src, s + 1 * rowBytes, LE);
        FloatVector v2 = FloatVector.fromMemorySegment(S, src, s + 2 * rowBytes, LE);
        FloatVector v3 = FloatVector.fromMemorySegment(S, src, s + 3 * rowBytes, LE);
        FloatVector v4 = FloatVector.fromMemorySegment(S, src, s + 4 * rowBytes, LE);
        FloatVector v5 = FloatVector.fromMemorySegment(S, src, s + 5 * rowBytes, LE);
        FloatVector v6 = FloatVector.fromMemorySegment(S, src, s + 6 * rowBytes, LE);
        FloatVector v7 = FloatVector.fromMemorySegment(S, src, s + 7 * rowBytes, LE);
        FloatVector t;
        // round 0: swap the off-diagonal 4 x 4 blocks
        t = v0;
        v0 = t.rearrange(LO0, v4);
        v4 = t.rearrange(HI0, v4);
        t = v1;
        v1 = t.rearrange(LO0, v5);
        v5 = t.rearrange(HI0, v5);
        t = v2;
        v2 = t.rearrange(LO0, v6);
        v6 = t.rearrange(HI0, v6);
        t = v3;
        v3 = t.rearrange(LO0, v7);
        v7 = t.rearrange(HI0, v7);
        // round 1: swap the off-diagonal 2 x 2 blocks
        t = v0;
        v0 = t.rearrange(LO1, v2);
        v2 = t.rearrange(HI1, v2);
        t = v1;
        v1 = t.rearrange(LO1, v3);
        v3 = t.rearrange(HI1, v3);
        t = v4;
        v4 = t.rearrange(LO1, v6);
        v6 = t.rearrange(HI1, v6);
        t = v5;
        v5 = t.rearrange(LO1, v7);
        v7 = t.rearrange(HI1, v7);
        // round 2: swap the off-diagonal 1 x 1 blocks
        t = v0;
        v0 = t.rearrange(LO2, v1);
        v1 = t.rearrange(HI2, v1);
        t = v2;
        v2 = t.rearrange(LO2, v3);
        v3 = t.rearrange(HI2, v3);
        t = v4;
        v4 = t.rearrange(LO2, v5);
        v5 = t.rearrange(HI2, v5);
        t = v6;
        v6 = t.rearrange(LO2, v7);
        v7 = t.rearrange(HI2, v7);
        v0.intoMemorySegment(dst, d + 0 * VB, LE);
        v1.intoMemorySegment(dst, d + 1 * VB, LE);
        v2.intoMemorySegment(dst, d + 2 * VB, LE);
        v3.intoMemorySegment(dst, d + 3 * VB, LE);
        v4.intoMemorySegment(dst, d + 4 * VB, LE);
        v5.intoMemorySegment(dst, d + 5 * VB, LE);
        v6.intoMemorySegment(dst, d + 6 * VB, LE);
        v7.intoMemorySegment(dst, d + 7 * VB, LE);
    }

    /** One 4 x 4 block (used when L = 4). */
    private static void block4(
            MemorySegment src, long s, long rowBytes, MemorySegment dst, long d) {
        FloatVector v0 = FloatVector.fromMemorySegment(S, src, s + 0 * rowBytes, LE);
        FloatVector v1 = FloatVector.fromMemorySegment(S, src, s + 1 * rowBytes, LE);
        FloatVector v2 = FloatVector.fromMemorySegment(S, src, s + 2 * rowBytes, LE);
        FloatVector v3 = FloatVector.fromMemorySegment(S, src, s + 3 * rowBytes, LE);
        FloatVector t;
        // round 0: swap the off-diagonal 2 x 2 blocks
        t = v0;
        v0 = t.rearrange(LO0, v2);
        v2 = t.rearrange(HI0, v2);
        t = v1;
        v1 = t.rearrange(LO0, v3);
        v3 = t.rearrange(HI0, v3);
        // round 1: swap the off-diagonal 1 x 1 blocks
        t = v0;
        v0 = t.rearrange(LO1, v1);
        v1 = t.rearrange(HI1, v1);
        t = v2;
        v2 = t.rearrange(LO1, v3);
        v3 = t.rearrange(HI1, v3);
        v0.intoMemorySegment(dst, d + 0 * VB, LE);
        v1.intoMemorySegment(dst, d + 1 * VB, LE);
        v2.intoMemorySegment(dst, d + 2 * VB, LE);
        v3.intoMemorySegment(dst, d + 3 * VB, LE);
    }
}
