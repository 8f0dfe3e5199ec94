package fdht.train.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The weight gradient of a dense layer ({@code fdht.train.plan.BackwardKernels#denseWeights}:
 * {@code dW[i][j] += sum_b dy[b][i] x[b][j]}), blocked for the memory: the columns in chunks whose
 * slice of {@code x} ({@code batch x chunk} floats, at most {@value #CHUNK_BYTES} bytes) stays in
 * L2 while every row of {@code dW} passes over it once, and in each chunk a register block of 4
 * rows x 2 vectors of columns accumulating over the whole batch (6 loads per 8 FMAs, {@code dW}
 * read and written once per call). The loop it replaced took the rows outermost and read all of
 * {@code x} again for every row: at MFM-40-UCF's shapes (1,024 x 57,856, {@code x} 7.4 MB) that was
 * 80% of a dense training batch ({@code tools/dense_train_parts.sh}).
 *
 * <p>Each element is one chain of fused multiply-adds in batch order, {@code dW + dy[0][i] x[0][j]
 * + dy[1][i] x[1][j] + ...}, whatever the block, chunk, tail or vector width: lane-wise FMAs round
 * alike in the interpreter and in C2, so the bits are fixed by the inputs alone, and a batch summed
 * in one call equals the same batch summed in parts, call after call ({@code
 * BackwardTwinProperties}). The blocked methods keep to 22 segment accesses (see {@link
 * VectorLaneBackward} for why that matters) and take and return no vector.
 *
 * <p>Thread safety: stateless and thread-safe; allocates nothing once compiled.
 */
final class VectorDenseWeights {
    /** Bytes of {@code x} per chunk: half of this machine kind's 1.25-2 MB of L2 per core. */
    static final long CHUNK_BYTES = 512 * 1024;

    private static final long VB = (long) L * Float.BYTES;

    private VectorDenseWeights() {}

    static void accumulate(
            MemorySegment dw,
            int rows,
            int ld,
            int wCol,
            int cols,
            MemorySegment dy,
            long dyOff,
            long dyStride,
            MemorySegment x,
            long xOff,
            long xStride,
            int batch) {
        dw = offHeap(dw);
        dy = offHeap(dy);
        x = offHeap(x);
        int chunk = chunkColumns(batch);
        for (int jb = 0; jb < cols; jb += chunk) {
            int je = Math.min(cols, jb + chunk);
            int i = 0;
            for (; i + 4 <= rows; i += 4) {
                int j = jb;
                for (; j + 2 * L <= je; j += 2 * L)
                    fourRowsTwoVectors(
                            dw, ld, wCol, dy, dyOff, dyStride, x, xOff, xStride, batch, i, j);
                for (; j < je; j += L)
                    fourRowsOneVector(
                            dw, ld, wCol, dy, dyOff, dyStride, x, xOff, xStride, batch, i, j, je);
            }
            for (; i < rows; i++) {
                for (int j = jb; j < je; j += L)
                    oneRow(dw, ld, wCol, dy, dyOff, dyStride, x, xOff, xStride, batch, i, j, je);
            }
        }
    }

    /** Columns per chunk: a whole number of register blocks, {@code x}'s slice within budget. */
    static int chunkColumns(int batch) {
        long fit = CHUNK_BYTES / ((long) Math.max(batch, 1) * Float.BYTES);
        return (int) Math.max(2L * L, fit / (2L * L) * (2L * L));
    }

    /** Rows i..i+3, columns j..j+2L-1: eight accumulators, each one FMA chain over the batch. */
    private static void fourRowsTwoVectors(
            MemorySegment dw,
            int ld,
            int wCol,
            MemorySegment dy,
            long dyOff,
            long dyStride,
            MemorySegment x,
            long xOff,
            long xStride,
            int batch,
            int i,
            int j) {
        dw = offHeap(dw);
        dy = offHeap(dy);
        x = offHeap(x);
        long ldBytes = (long) ld * Float.BYTES;
        long w0 = ((long) i * ld + wCol + j) * Float.BYTES,
                w1 = w0 + ldBytes,
                w2 = w1 + ldBytes,
                w3 = w2 + ldBytes;
        FloatVector a00 = FloatVector.fromMemorySegment(S, dw, w0, LE),
                a01 = FloatVector.fromMemorySegment(S, dw, w0 + VB, LE),
                a10 = FloatVector.fromMemorySegment(S, dw, w1, LE),
                a11 = FloatVector.fromMemorySegment(S, dw, w1 + VB, LE),
                a20 = FloatVector.fromMemorySegment(S, dw, w2, LE),
                a21 = FloatVector.fromMemorySegment(S, dw, w2 + VB, LE),
                a30 = FloatVector.fromMemorySegment(S, dw, w3, LE),
                a31 = FloatVector.fromMemorySegment(S, dw, w3 + VB, LE);
        long xb = (xOff + j) * Float.BYTES, xs = xStride * Float.BYTES;
        long yb = dyOff + i;
        for (int b = 0; b < batch; b++, xb += xs, yb += dyStride) {
            FloatVector x0 = FloatVector.fromMemorySegment(S, x, xb, LE),
                    x1 = FloatVector.fromMemorySegment(S, x, xb + VB, LE);
            FloatVector d = FloatVector.broadcast(S, dy.getAtIndex(F32, yb));
            a00 = x0.fma(d, a00);
            a01 = x1.fma(d, a01);
            d = FloatVector.broadcast(S, dy.getAtIndex(F32, yb + 1));
            a10 = x0.fma(d, a10);
            a11 = x1.fma(d, a11);
            d = FloatVector.broadcast(S, dy.getAtIndex(F32, yb + 2));
            a20 = x0.fma(d, a20);
            a21 = x1.fma(d, a21);
            d = FloatVector.broadcast(S, dy.getAtIndex(F32, yb + 3));
            a30 = x0.fma(d, a30);
            a31 = x1.fma(d, a31);
        }
        a00.intoMemorySegment(dw, w0, LE);
        a01.intoMemorySegment(dw, w0 + VB, LE);
        a10.intoMemorySegment(dw, w1, LE);
        a11.intoMemorySegment(dw, w1 + VB, LE);
        a20.intoMemorySegment(dw, w2, LE);
        a21.intoMemorySegment(dw, w2 + VB, LE);
        a30.intoMemorySegment(dw, w3, LE);
        a31.intoMemorySegment(dw, w3 + VB, LE);
    }

    /** Rows i..i+3, the columns of j..min(j+L, je) under a mask (a chunk's last vectors). */
    private static void fourRowsOneVector(
            MemorySegment dw,
            int ld,
            int wCol,
            MemorySegment dy,
            long dyOff,
            long dyStride,
            MemorySegment x,
            long xOff,
            long xStride,
            int batch,
            int i,
            int j,
            int je) {
        dw = offHeap(dw);
        dy = offHeap(dy);
        x = offHeap(x);
        VectorMask<Float> m = S.indexInRange(j, je);
        long ldBytes = (long) ld * Float.BYTES;
        long w0 = ((long) i * ld + wCol + j) * Float.BYTES,
                w1 = w0 + ldBytes,
                w2 = w1 + ldBytes,
                w3 = w2 + ldBytes;
        FloatVector a0 = FloatVector.fromMemorySegment(S, dw, w0, LE, m),
                a1 = FloatVector.fromMemorySegment(S, dw, w1, LE, m),
                a2 = FloatVector.fromMemorySegment(S, dw, w2, LE, m),
                a3 = FloatVector.fromMemorySegment(S, dw, w3, LE, m);
        long xb = (xOff + j) * Float.BYTES, xs = xStride * Float.BYTES;
        long yb = dyOff + i;
        for (int b = 0; b < batch; b++, xb += xs, yb += dyStride) {
            FloatVector x0 = FloatVector.fromMemorySegment(S, x, xb, LE, m);
            a0 = x0.fma(FloatVector.broadcast(S, dy.getAtIndex(F32, yb)), a0);
            a1 = x0.fma(FloatVector.broadcast(S, dy.getAtIndex(F32, yb + 1)), a1);
            a2 = x0.fma(FloatVector.broadcast(S, dy.getAtIndex(F32, yb + 2)), a2);
            a3 = x0.fma(FloatVector.broadcast(S, dy.getAtIndex(F32, yb + 3)), a3);
        }
        a0.intoMemorySegment(dw, w0, LE, m);
        a1.intoMemorySegment(dw, w1, LE, m);
        a2.intoMemorySegment(dw, w2, LE, m);
        a3.intoMemorySegment(dw, w3, LE, m);
    }

    /** Row i (the rows past the last block of four), columns j..min(j+L, je) under a mask. */
    private static void oneRow(
            MemorySegment dw,
            int ld,
            int wCol,
            MemorySegment dy,
            long dyOff,
            long dyStride,
            MemorySegment x,
            long xOff,
            long xStride,
            int batch,
            int i,
            int j,
            int je) {
        dw = offHeap(dw);
        dy = offHeap(dy);
        x = offHeap(x);
        VectorMask<Float> m = S.indexInRange(j, je);
        long w0 = ((long) i * ld + wCol + j) * Float.BYTES;
        FloatVector a = FloatVector.fromMemorySegment(S, dw, w0, LE, m);
        long xb = (xOff + j) * Float.BYTES, xs = xStride * Float.BYTES;
        long yb = dyOff + i;
        for (int b = 0; b < batch; b++, xb += xs, yb += dyStride)
            a =
                    FloatVector.fromMemorySegment(S, x, xb, LE, m)
                            .fma(FloatVector.broadcast(S, dy.getAtIndex(F32, yb)), a);
        a.intoMemorySegment(dw, w0, LE, m);
    }
}
