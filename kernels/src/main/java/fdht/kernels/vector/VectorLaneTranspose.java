package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Moves data into and between lane layouts by {@code L x L} transposes: {@link #toLanes} packs
 * {@code L} row-major rows ({@code dst[e*L + l] = row_l[e]}), {@link #transposeBlocks} moves blocks
 * between two lane layouts of a batch-1 plan (lanes from one group of axes to another). Blocks are
 * loaded as whole vectors, transposed in registers by {@code log2 L} rounds of two-source lane
 * shuffles (round {@code d} swaps the off-diagonal {@code d x d} blocks of every {@code 2d x 2d}
 * block), stored as whole lane vectors. One pass, {@code 2 log2 L} shuffles per vector; a scalar
 * tail for the last {@code n mod L} columns. Written out per width (16, 8, 4 lanes): vectors held
 * in an array would be boxed.
 */
final class VectorLaneTranspose {
    private static final long VB = (long) L * Float.BYTES;

    /** Int lanes of the float vectors' shape: the transpose only moves bits. */
    private static final VectorSpecies<Integer> IS = S.withLanes(int.class);

    /**
     * Round {@code r} (blocks of {@code d = L >> (r+1)}): LO keeps row i's lanes outside the
     * d-blocks and takes row j's, HI the other half; indices >= L pick from the second vector.
     * Index vectors for the two-vector {@code selectFrom} (one vpermi2d per output vector; a
     * two-vector float {@code rearrange} measured 1.4x slower here, a float-indexed {@code
     * selectFrom} was not intrinsified). Fields, not an array: C2 takes a static final vector as a
     * constant. Rounds past log2 L are never used at that width.
     */
    private static final IntVector LO0 = indices(0, true),
            LO1 = indices(1, true),
            LO2 = indices(2, true),
            LO3 = indices(3, true);

    private static final IntVector HI0 = indices(0, false),
            HI1 = indices(1, false),
            HI2 = indices(2, false),
            HI3 = indices(3, false);

    private VectorLaneTranspose() {}

    private static IntVector indices(int round, boolean low) {
        int d = Math.max(1, L >> (round + 1));
        int[] idx = new int[L];
        for (int k = 0; k < L; k++) {
            boolean keep = (k & d) == 0;
            // new_i[k] = keep ? v_i[k] : v_j[k-d];  new_j[k] = keep ? v_i[k+d] : v_j[k]
            idx[k] = low ? (keep ? k : L + k - d) : (keep ? k + d : L + k);
        }
        return IntVector.fromArray(IS, idx, 0);
    }

    /** 0, 1, ..., L-1: the vector numbers of a block whose vectors are evenly spaced. */
    private static final int[] IOTA = java.util.stream.IntStream.range(0, L).toArray();

    static void toLanes(
            MemorySegment src, long srcOff, long srcStride, int n, MemorySegment dst, long dstOff) {
        src = offHeap(src);
        dst = offHeap(dst);
        final long rowBytes = srcStride * Float.BYTES;
        int e = 0;
        for (; e + L <= n; e += L) {
            long s = (srcOff + e) * Float.BYTES, d = (dstOff + (long) e * L) * Float.BYTES;
            block(src, s, IOTA, 0, rowBytes, dst, d, IOTA, 0, VB);
        }
        if (e < n && n >= L) {
            // the last n mod L columns: one more block ending at column n, overlapping the one
            // before (its first columns are written twice, with the same values)
            e = n - L;
            long s = (srcOff + e) * Float.BYTES, d = (dstOff + (long) e * L) * Float.BYTES;
            block(src, s, IOTA, 0, rowBytes, dst, d, IOTA, 0, VB);
            e = n;
        }
        for (; e < n; e++) {
            for (int l = 0; l < L; l++)
                dst.setAtIndex(
                        F32,
                        dstOff + (long) e * L + l,
                        src.getAtIndex(F32, srcOff + l * srcStride + e));
        }
    }

    /**
     * {@code fdht.kernels.Kernels#transposeBlocks}: block {@code b} reads vector {@code i} at float
     * {@code srcOff + srcVec[b*L + i]} and writes vector {@code l} at float {@code dstOff +
     * dstVec[b*L + l]}.
     */
    static void transposeBlocks(
            MemorySegment src,
            long srcOff,
            int[] srcVec,
            MemorySegment dst,
            long dstOff,
            int[] dstVec) {
        src = offHeap(src);
        dst = offHeap(dst);
        final long s = srcOff * Float.BYTES, d = dstOff * Float.BYTES;
        for (int at = 0; at + L <= srcVec.length; at += L)
            block(src, s, srcVec, at, Float.BYTES, dst, d, dstVec, at, Float.BYTES);
    }

    /**
     * One {@code L x L} block: source vector {@code i} at byte {@code s + sIdx[sAt+i]*sMul},
     * destination vector {@code i} at byte {@code d + dIdx[dAt+i]*dMul}.
     */
    private static void block(
            MemorySegment src,
            long s,
            int[] sIdx,
            int sAt,
            long sMul,
            MemorySegment dst,
            long d,
            int[] dIdx,
            int dAt,
            long dMul) {
        src = offHeap(src);
        dst = offHeap(dst);
        switch (L) { // L is a constant: C2 keeps one case
            case 16 -> block16(src, s, sIdx, sAt, sMul, dst, d, dIdx, dAt, dMul);
            case 8 -> block8(src, s, sIdx, sAt, sMul, dst, d, dIdx, dAt, dMul);
            default -> block4(src, s, sIdx, sAt, sMul, dst, d, dIdx, dAt, dMul);
        }
    }

    /** One 16 x 16 block (used when L = 16). */
    private static void block16(
            MemorySegment src,
            long s,
            int[] sIdx,
            int sAt,
            long sMul,
            MemorySegment dst,
            long d,
            int[] dIdx,
            int dAt,
            long dMul) {
        src = offHeap(src);
        dst = offHeap(dst);
        IntVector v0 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 0] * sMul, LE);
        IntVector v1 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 1] * sMul, LE);
        IntVector v2 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 2] * sMul, LE);
        IntVector v3 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 3] * sMul, LE);
        IntVector v4 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 4] * sMul, LE);
        IntVector v5 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 5] * sMul, LE);
        IntVector v6 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 6] * sMul, LE);
        IntVector v7 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 7] * sMul, LE);
        IntVector v8 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 8] * sMul, LE);
        IntVector v9 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 9] * sMul, LE);
        IntVector v10 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 10] * sMul, LE);
        IntVector v11 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 11] * sMul, LE);
        IntVector v12 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 12] * sMul, LE);
        IntVector v13 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 13] * sMul, LE);
        IntVector v14 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 14] * sMul, LE);
        IntVector v15 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 15] * sMul, LE);
        IntVector t;
        // round 0: swap the off-diagonal 8 x 8 blocks
        t = v0;
        v0 = LO0.selectFrom(t, v8);
        v8 = HI0.selectFrom(t, v8);
        t = v1;
        v1 = LO0.selectFrom(t, v9);
        v9 = HI0.selectFrom(t, v9);
        t = v2;
        v2 = LO0.selectFrom(t, v10);
        v10 = HI0.selectFrom(t, v10);
        t = v3;
        v3 = LO0.selectFrom(t, v11);
        v11 = HI0.selectFrom(t, v11);
        t = v4;
        v4 = LO0.selectFrom(t, v12);
        v12 = HI0.selectFrom(t, v12);
        t = v5;
        v5 = LO0.selectFrom(t, v13);
        v13 = HI0.selectFrom(t, v13);
        t = v6;
        v6 = LO0.selectFrom(t, v14);
        v14 = HI0.selectFrom(t, v14);
        t = v7;
        v7 = LO0.selectFrom(t, v15);
        v15 = HI0.selectFrom(t, v15);
        // round 1: swap the off-diagonal 4 x 4 blocks
        t = v0;
        v0 = LO1.selectFrom(t, v4);
        v4 = HI1.selectFrom(t, v4);
        t = v1;
        v1 = LO1.selectFrom(t, v5);
        v5 = HI1.selectFrom(t, v5);
        t = v2;
        v2 = LO1.selectFrom(t, v6);
        v6 = HI1.selectFrom(t, v6);
        t = v3;
        v3 = LO1.selectFrom(t, v7);
        v7 = HI1.selectFrom(t, v7);
        t = v8;
        v8 = LO1.selectFrom(t, v12);
        v12 = HI1.selectFrom(t, v12);
        t = v9;
        v9 = LO1.selectFrom(t, v13);
        v13 = HI1.selectFrom(t, v13);
        t = v10;
        v10 = LO1.selectFrom(t, v14);
        v14 = HI1.selectFrom(t, v14);
        t = v11;
        v11 = LO1.selectFrom(t, v15);
        v15 = HI1.selectFrom(t, v15);
        // round 2: swap the off-diagonal 2 x 2 blocks
        t = v0;
        v0 = LO2.selectFrom(t, v2);
        v2 = HI2.selectFrom(t, v2);
        t = v1;
        v1 = LO2.selectFrom(t, v3);
        v3 = HI2.selectFrom(t, v3);
        t = v4;
        v4 = LO2.selectFrom(t, v6);
        v6 = HI2.selectFrom(t, v6);
        t = v5;
        v5 = LO2.selectFrom(t, v7);
        v7 = HI2.selectFrom(t, v7);
        t = v8;
        v8 = LO2.selectFrom(t, v10);
        v10 = HI2.selectFrom(t, v10);
        t = v9;
        v9 = LO2.selectFrom(t, v11);
        v11 = HI2.selectFrom(t, v11);
        t = v12;
        v12 = LO2.selectFrom(t, v14);
        v14 = HI2.selectFrom(t, v14);
        t = v13;
        v13 = LO2.selectFrom(t, v15);
        v15 = HI2.selectFrom(t, v15);
        // round 3: swap the off-diagonal 1 x 1 blocks
        t = v0;
        v0 = LO3.selectFrom(t, v1);
        v1 = HI3.selectFrom(t, v1);
        t = v2;
        v2 = LO3.selectFrom(t, v3);
        v3 = HI3.selectFrom(t, v3);
        t = v4;
        v4 = LO3.selectFrom(t, v5);
        v5 = HI3.selectFrom(t, v5);
        t = v6;
        v6 = LO3.selectFrom(t, v7);
        v7 = HI3.selectFrom(t, v7);
        t = v8;
        v8 = LO3.selectFrom(t, v9);
        v9 = HI3.selectFrom(t, v9);
        t = v10;
        v10 = LO3.selectFrom(t, v11);
        v11 = HI3.selectFrom(t, v11);
        t = v12;
        v12 = LO3.selectFrom(t, v13);
        v13 = HI3.selectFrom(t, v13);
        t = v14;
        v14 = LO3.selectFrom(t, v15);
        v15 = HI3.selectFrom(t, v15);
        v0.intoMemorySegment(dst, d + dIdx[dAt + 0] * dMul, LE);
        v1.intoMemorySegment(dst, d + dIdx[dAt + 1] * dMul, LE);
        v2.intoMemorySegment(dst, d + dIdx[dAt + 2] * dMul, LE);
        v3.intoMemorySegment(dst, d + dIdx[dAt + 3] * dMul, LE);
        v4.intoMemorySegment(dst, d + dIdx[dAt + 4] * dMul, LE);
        v5.intoMemorySegment(dst, d + dIdx[dAt + 5] * dMul, LE);
        v6.intoMemorySegment(dst, d + dIdx[dAt + 6] * dMul, LE);
        v7.intoMemorySegment(dst, d + dIdx[dAt + 7] * dMul, LE);
        v8.intoMemorySegment(dst, d + dIdx[dAt + 8] * dMul, LE);
        v9.intoMemorySegment(dst, d + dIdx[dAt + 9] * dMul, LE);
        v10.intoMemorySegment(dst, d + dIdx[dAt + 10] * dMul, LE);
        v11.intoMemorySegment(dst, d + dIdx[dAt + 11] * dMul, LE);
        v12.intoMemorySegment(dst, d + dIdx[dAt + 12] * dMul, LE);
        v13.intoMemorySegment(dst, d + dIdx[dAt + 13] * dMul, LE);
        v14.intoMemorySegment(dst, d + dIdx[dAt + 14] * dMul, LE);
        v15.intoMemorySegment(dst, d + dIdx[dAt + 15] * dMul, LE);
    }

    /** One 8 x 8 block (used when L = 8). */
    private static void block8(
            MemorySegment src,
            long s,
            int[] sIdx,
            int sAt,
            long sMul,
            MemorySegment dst,
            long d,
            int[] dIdx,
            int dAt,
            long dMul) {
        src = offHeap(src);
        dst = offHeap(dst);
        IntVector v0 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 0] * sMul, LE);
        IntVector v1 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 1] * sMul, LE);
        IntVector v2 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 2] * sMul, LE);
        IntVector v3 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 3] * sMul, LE);
        IntVector v4 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 4] * sMul, LE);
        IntVector v5 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 5] * sMul, LE);
        IntVector v6 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 6] * sMul, LE);
        IntVector v7 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 7] * sMul, LE);
        IntVector t;
        // round 0: swap the off-diagonal 4 x 4 blocks
        t = v0;
        v0 = LO0.selectFrom(t, v4);
        v4 = HI0.selectFrom(t, v4);
        t = v1;
        v1 = LO0.selectFrom(t, v5);
        v5 = HI0.selectFrom(t, v5);
        t = v2;
        v2 = LO0.selectFrom(t, v6);
        v6 = HI0.selectFrom(t, v6);
        t = v3;
        v3 = LO0.selectFrom(t, v7);
        v7 = HI0.selectFrom(t, v7);
        // round 1: swap the off-diagonal 2 x 2 blocks
        t = v0;
        v0 = LO1.selectFrom(t, v2);
        v2 = HI1.selectFrom(t, v2);
        t = v1;
        v1 = LO1.selectFrom(t, v3);
        v3 = HI1.selectFrom(t, v3);
        t = v4;
        v4 = LO1.selectFrom(t, v6);
        v6 = HI1.selectFrom(t, v6);
        t = v5;
        v5 = LO1.selectFrom(t, v7);
        v7 = HI1.selectFrom(t, v7);
        // round 2: swap the off-diagonal 1 x 1 blocks
        t = v0;
        v0 = LO2.selectFrom(t, v1);
        v1 = HI2.selectFrom(t, v1);
        t = v2;
        v2 = LO2.selectFrom(t, v3);
        v3 = HI2.selectFrom(t, v3);
        t = v4;
        v4 = LO2.selectFrom(t, v5);
        v5 = HI2.selectFrom(t, v5);
        t = v6;
        v6 = LO2.selectFrom(t, v7);
        v7 = HI2.selectFrom(t, v7);
        v0.intoMemorySegment(dst, d + dIdx[dAt + 0] * dMul, LE);
        v1.intoMemorySegment(dst, d + dIdx[dAt + 1] * dMul, LE);
        v2.intoMemorySegment(dst, d + dIdx[dAt + 2] * dMul, LE);
        v3.intoMemorySegment(dst, d + dIdx[dAt + 3] * dMul, LE);
        v4.intoMemorySegment(dst, d + dIdx[dAt + 4] * dMul, LE);
        v5.intoMemorySegment(dst, d + dIdx[dAt + 5] * dMul, LE);
        v6.intoMemorySegment(dst, d + dIdx[dAt + 6] * dMul, LE);
        v7.intoMemorySegment(dst, d + dIdx[dAt + 7] * dMul, LE);
    }

    /** One 4 x 4 block (used when L = 4). */
    private static void block4(
            MemorySegment src,
            long s,
            int[] sIdx,
            int sAt,
            long sMul,
            MemorySegment dst,
            long d,
            int[] dIdx,
            int dAt,
            long dMul) {
        src = offHeap(src);
        dst = offHeap(dst);
        IntVector v0 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 0] * sMul, LE);
        IntVector v1 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 1] * sMul, LE);
        IntVector v2 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 2] * sMul, LE);
        IntVector v3 = IntVector.fromMemorySegment(IS, src, s + sIdx[sAt + 3] * sMul, LE);
        IntVector t;
        // round 0: swap the off-diagonal 2 x 2 blocks
        t = v0;
        v0 = LO0.selectFrom(t, v2);
        v2 = HI0.selectFrom(t, v2);
        t = v1;
        v1 = LO0.selectFrom(t, v3);
        v3 = HI0.selectFrom(t, v3);
        // round 1: swap the off-diagonal 1 x 1 blocks
        t = v0;
        v0 = LO1.selectFrom(t, v1);
        v1 = HI1.selectFrom(t, v1);
        t = v2;
        v2 = LO1.selectFrom(t, v3);
        v3 = HI1.selectFrom(t, v3);
        v0.intoMemorySegment(dst, d + dIdx[dAt + 0] * dMul, LE);
        v1.intoMemorySegment(dst, d + dIdx[dAt + 1] * dMul, LE);
        v2.intoMemorySegment(dst, d + dIdx[dAt + 2] * dMul, LE);
        v3.intoMemorySegment(dst, d + dIdx[dAt + 3] * dMul, LE);
    }
}
