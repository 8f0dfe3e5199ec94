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
 * {@code dW[i][j] += sum_b dy[b][i] x[b][j]}), a GEMM blocked as BLAS blocks one: {@code dy}
 * transposed into blocks of 4 rows ({@code [block][b][4]}), then chunk by chunk of columns the
 * chunk of {@code x} packed into tiles of {@code 3L} columns ({@code [tile][b][3L]}, at most
 * {@value #CHUNK_BYTES} bytes: it stays in L2 while every row of {@code dW} passes over it once),
 * and in each chunk a register block of 4 rows x 3 vectors accumulating over the whole batch (7
 * loads per 12 FMAs, {@code dW} read and written once per call). Packed operands are read at
 * constant strides, in order: the bounds checks leave the loop and the prefetcher follows it. The
 * columns past the chunk's last whole tile and the rows past the last block of four take unpacked
 * one-vector paths.
 *
 * <p>Measured at MFM-40-UCF's shapes (1,024 x 57,856, batch 8 frames x 32 clips; {@code
 * tools/dense_train_parts.sh}, Intel Xeon 2.8 GHz, AVX-512, a shared machine): the loop it replaced
 * (rows outermost, all of {@code x} read again for every row) ran at 6 GFLOP/s, 80% of a dense
 * training batch; these blocks unpacked at 46; packed, with 4 x 3 tiles, at about 80, against 140
 * for twelve FMA chains in registers. Tiles of 8 x 2 ran about as fast, but C1 gave up on them (out
 * of registers), leaving the interpreter until C2 compiled them.
 *
 * <p>Each element is one chain of fused multiply-adds in batch order, {@code dW + dy[0][i] x[0][j]
 * + dy[1][i] x[1][j] + ...}, whatever the block, chunk, tail or vector width: lane-wise FMAs round
 * alike in the interpreter and in C2, so the bits are fixed by the inputs alone, and a batch summed
 * in one call equals the same batch summed in parts, call after call ({@code
 * DenseWeightsProperties}). The blocked methods keep to 31 segment accesses (see {@link
 * VectorLaneBackward} for why that count matters) and take and return no vector.
 *
 * <p>Thread safety: stateless and thread-safe when callers pass their own scratch; allocates
 * nothing once compiled.
 */
final class VectorDenseWeights {
    /** Bytes of packed {@code x} per chunk: under half of this machine kind's L2 per core. */
    static final long CHUNK_BYTES = 512 * 1024;

    /** Columns of a register block. */
    private static final int TILE = 3 * L;

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
            MemorySegment x,
            long xOff,
            long xStride,
            int batch,
            MemorySegment scratch) {
        dw = offHeap(dw);
        dy = offHeap(dy);
        x = offHeap(x);
        scratch = offHeap(scratch);
        int blocks = rows / 4;
        long panel = 4L * blocks * batch; // floats: dy's blocks, then x's packed chunk
        packRowBlocks(dy, dyOff, rows, blocks, batch, scratch);
        int chunk = chunkColumns(batch);
        for (int jb = 0; jb < cols; jb += chunk) {
            int je = Math.min(cols, jb + chunk);
            int tiles = (je - jb) / TILE;
            packTiles(x, xOff + jb, xStride, batch, tiles, scratch, panel);
            for (int blk = 0; blk < blocks; blk++) {
                long dyBlock = 4L * blk * batch;
                for (int t = 0; t < tiles; t++)
                    fourRowsThreeVectors(
                            dw,
                            ((long) 4 * blk * ld + wCol + jb + (long) t * TILE) * Float.BYTES,
                            ld,
                            scratch,
                            dyBlock,
                            panel + (long) t * batch * TILE,
                            batch);
                for (int j = jb + tiles * TILE; j < je; j += L)
                    fourRowsOneVector(
                            dw, rows, ld, wCol, dy, dyOff, x, xOff, xStride, batch, 4 * blk, j, je);
            }
            for (int i = 4 * blocks; i < rows; i++) {
                for (int j = jb; j < je; j += L)
                    oneRow(dw, rows, ld, wCol, dy, dyOff, x, xOff, xStride, batch, i, j, je);
            }
        }
    }

    /** Columns per chunk: a whole number of tiles, {@code x}'s packed chunk within budget. */
    static int chunkColumns(int batch) {
        long fit = CHUNK_BYTES / ((long) Math.max(batch, 1) * Float.BYTES);
        return (int) Math.max(TILE, fit / TILE * TILE);
    }

    /** {@code dy}'s rows {@code 4*blk..4*blk+3} to {@code scratch[(blk*batch + b)*4 + r]}. */
    private static void packRowBlocks(
            MemorySegment dy, long dyOff, int rows, int blocks, int batch, MemorySegment s) {
        dy = offHeap(dy);
        s = offHeap(s);
        long o = 0;
        for (int blk = 0; blk < blocks; blk++) {
            for (int b = 0; b < batch; b++, o += 4) {
                long from = (dyOff + (long) b * rows + 4L * blk) * Float.BYTES;
                MemorySegment.copy(dy, from, s, o * Float.BYTES, 4 * Float.BYTES);
            }
        }
    }

    /**
     * {@code x}'s columns from {@code xCol}, tile by tile, to {@code s[panel + (t*batch +
     * b)*TILE]}.
     */
    private static void packTiles(
            MemorySegment x,
            long xCol,
            long xStride,
            int batch,
            int tiles,
            MemorySegment s,
            long panel) {
        x = offHeap(x);
        s = offHeap(s);
        long o = panel * Float.BYTES;
        for (int t = 0; t < tiles; t++) {
            long from = (xCol + (long) t * TILE) * Float.BYTES;
            for (int b = 0; b < batch; b++, from += xStride * Float.BYTES, o += 3 * VB) {
                FloatVector.fromMemorySegment(S, x, from, LE).intoMemorySegment(s, o, LE);
                FloatVector.fromMemorySegment(S, x, from + VB, LE).intoMemorySegment(s, o + VB, LE);
                FloatVector.fromMemorySegment(S, x, from + 2 * VB, LE)
                        .intoMemorySegment(s, o + 2 * VB, LE);
            }
        }
    }

    /**
     * Rows of {@code dW} from byte {@code w0} ({@code ld} floats apart) x 3 vectors of columns:
     * twelve accumulators, each one FMA chain over the batch, from the packed block of {@code dy}
     * at {@code dyBlock} and the packed tile of {@code x} at {@code tile} (floats in {@code s}).
     */
    private static void fourRowsThreeVectors(
            MemorySegment dw,
            long w0,
            int ld,
            MemorySegment s,
            long dyBlock,
            long tile,
            int batch) {
        dw = offHeap(dw);
        s = offHeap(s);
        long ldBytes = (long) ld * Float.BYTES;
        long w1 = w0 + ldBytes, w2 = w1 + ldBytes, w3 = w2 + ldBytes;
        FloatVector a00 = FloatVector.fromMemorySegment(S, dw, w0, LE),
                a01 = FloatVector.fromMemorySegment(S, dw, w0 + VB, LE),
                a02 = FloatVector.fromMemorySegment(S, dw, w0 + 2 * VB, LE),
                a10 = FloatVector.fromMemorySegment(S, dw, w1, LE),
                a11 = FloatVector.fromMemorySegment(S, dw, w1 + VB, LE),
                a12 = FloatVector.fromMemorySegment(S, dw, w1 + 2 * VB, LE),
                a20 = FloatVector.fromMemorySegment(S, dw, w2, LE),
                a21 = FloatVector.fromMemorySegment(S, dw, w2 + VB, LE),
                a22 = FloatVector.fromMemorySegment(S, dw, w2 + 2 * VB, LE),
                a30 = FloatVector.fromMemorySegment(S, dw, w3, LE),
                a31 = FloatVector.fromMemorySegment(S, dw, w3 + VB, LE),
                a32 = FloatVector.fromMemorySegment(S, dw, w3 + 2 * VB, LE);
        long xb = tile * Float.BYTES;
        for (int b = 0; b < batch; b++) {
            long o = xb + b * 3 * VB, y = dyBlock + 4L * b;
            FloatVector x0 = FloatVector.fromMemorySegment(S, s, o, LE),
                    x1 = FloatVector.fromMemorySegment(S, s, o + VB, LE),
                    x2 = FloatVector.fromMemorySegment(S, s, o + 2 * VB, LE);
            FloatVector d = FloatVector.broadcast(S, s.getAtIndex(F32, y));
            a00 = x0.fma(d, a00);
            a01 = x1.fma(d, a01);
            a02 = x2.fma(d, a02);
            d = FloatVector.broadcast(S, s.getAtIndex(F32, y + 1));
            a10 = x0.fma(d, a10);
            a11 = x1.fma(d, a11);
            a12 = x2.fma(d, a12);
            d = FloatVector.broadcast(S, s.getAtIndex(F32, y + 2));
            a20 = x0.fma(d, a20);
            a21 = x1.fma(d, a21);
            a22 = x2.fma(d, a22);
            d = FloatVector.broadcast(S, s.getAtIndex(F32, y + 3));
            a30 = x0.fma(d, a30);
            a31 = x1.fma(d, a31);
            a32 = x2.fma(d, a32);
        }
        a00.intoMemorySegment(dw, w0, LE);
        a01.intoMemorySegment(dw, w0 + VB, LE);
        a02.intoMemorySegment(dw, w0 + 2 * VB, LE);
        a10.intoMemorySegment(dw, w1, LE);
        a11.intoMemorySegment(dw, w1 + VB, LE);
        a12.intoMemorySegment(dw, w1 + 2 * VB, LE);
        a20.intoMemorySegment(dw, w2, LE);
        a21.intoMemorySegment(dw, w2 + VB, LE);
        a22.intoMemorySegment(dw, w2 + 2 * VB, LE);
        a30.intoMemorySegment(dw, w3, LE);
        a31.intoMemorySegment(dw, w3 + VB, LE);
        a32.intoMemorySegment(dw, w3 + 2 * VB, LE);
    }

    /** Rows i..i+3, the columns of j..min(j+L, je) under a mask, unpacked (past the tiles). */
    private static void fourRowsOneVector(
            MemorySegment dw,
            int rows,
            int ld,
            int wCol,
            MemorySegment dy,
            long dyOff,
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
        for (int b = 0; b < batch; b++, xb += xs, yb += rows) {
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
            int rows,
            int ld,
            int wCol,
            MemorySegment dy,
            long dyOff,
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
        for (int b = 0; b < batch; b++, xb += xs, yb += rows)
            a =
                    FloatVector.fromMemorySegment(S, x, xb, LE, m)
                            .fma(FloatVector.broadcast(S, dy.getAtIndex(F32, yb)), a);
        a.intoMemorySegment(dw, w0, LE, m);
    }
}
