package fdht.spark;

import fdht.kernels.Kernels;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;

/**
 * How a clip sits in a Spark column: {@code array<float>} holding {@code [T * N]} (frames one after
 * the other), {@code array<array<float>>} holding {@code [T][N]}, or {@code binary} holding {@code
 * T * N} little-endian float32 values ({@code numpy}'s {@code clip.astype('<f4').tobytes()}).
 * {@link #copy} moves one row's clip into native memory and checks it on the way: a null clip, a
 * length that is not a whole number of frames, a null element or a non-finite value is a {@link
 * BadClipException} naming the frame and index. Spark's own array format ({@link UnsafeArrayData})
 * is copied in bulk, its null bits read a word at a time; other array kinds element by element. A
 * binary clip in Spark's row format ({@link UnsafeRow}) is read where it lies, without a {@code
 * byte[]} per row and without boxing: one bulk copy into the native buffer.
 *
 * <p>Immutable and serializable (tasks carry it); stateless otherwise, safe from any thread.
 */
record FeatureLayout(String column, Kind kind, int inputSize) implements Serializable {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat LITTLE_ENDIAN_FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The column types a clip can have. */
    enum Kind {
        /** {@code array<float>}, {@code [T * N]}. */
        FLAT,
        /** {@code array<array<float>>}, {@code [T][N]}. */
        NESTED,
        /** {@code binary}, {@code T * N} little-endian float32 values. */
        BINARY
    }

    /**
     * The layout of {@code column} of type {@code type}, or an {@link IllegalArgumentException}
     * saying what types work.
     */
    static FeatureLayout of(String column, DataType type, int inputSize) {
        if (type.equals(DataTypes.BinaryType))
            return new FeatureLayout(column, Kind.BINARY, inputSize);
        if (type instanceof ArrayType a) {
            if (a.elementType().equals(DataTypes.FloatType))
                return new FeatureLayout(column, Kind.FLAT, inputSize);
            if (a.elementType() instanceof ArrayType inner
                    && inner.elementType().equals(DataTypes.FloatType))
                return new FeatureLayout(column, Kind.NESTED, inputSize);
        }
        String hint =
                type.simpleString().contains("double")
                        ? "; cast it: col(\""
                                + column
                                + "\").cast(\""
                                + type.simpleString().replace("double", "float")
                                + "\")"
                        : "";
        throw new IllegalArgumentException(
                "column '"
                        + column
                        + "' is "
                        + type.simpleString()
                        + ", not array<float> ([T*N]), array<array<float>> ([T][N]) or binary ([T*N]"
                        + " little-endian float32)"
                        + hint);
    }

    /** Whether clips are {@code array<array<float>>}. */
    boolean nested() {
        return kind == Kind.NESTED;
    }

    /**
     * Thrown for a clip that cannot be scored; the message says why, without naming the row (the
     * caller does).
     */
    static final class BadClipException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadClipException(String message) {
            super(message);
        }
    }

    /** The frame count {@code T} of the clip in field {@code field} of {@code row}. */
    int frames(InternalRow row, int field) {
        if (row.isNullAt(field)) throw new BadClipException("'" + column + "' is null");
        if (kind == Kind.BINARY) return binaryFrames(binary(row, field).byteSize());
        return frames(row.getArray(field));
    }

    /**
     * The frame count {@code T} of a {@code binary} clip given as its bytes ({@link
     * MappedParquetClips}), null for a null value.
     */
    int frames(MemorySegment binary) {
        if (binary == null) throw new BadClipException("'" + column + "' is null");
        return binaryFrames(binary.byteSize());
    }

    private int frames(ArrayData a) {
        int len = a.numElements();
        if (kind == Kind.NESTED) {
            if (len == 0) throw new BadClipException("'" + column + "' holds no frame");
            return len;
        }
        if (len == 0 || len % inputSize != 0)
            throw new BadClipException(
                    "'"
                            + column
                            + "' holds "
                            + len
                            + " floats, not a whole number of frames of N_x = "
                            + inputSize);
        return len / inputSize;
    }

    private int binaryFrames(long bytes) {
        long frameBytes = (long) inputSize * Float.BYTES;
        if (bytes == 0 || bytes % frameBytes != 0)
            throw new BadClipException(
                    "'"
                            + column
                            + "' holds "
                            + bytes
                            + " bytes, not a whole number of frames of N_x = "
                            + inputSize
                            + " float32 values ("
                            + frameBytes
                            + " bytes)");
        return Math.toIntExact(bytes / frameBytes);
    }

    /**
     * Copies the clip in field {@code field} of {@code row} ({@link #frames} frames) to {@code dst}
     * from float {@code at}, checking it.
     */
    void copy(InternalRow row, int field, MemorySegment dst, long at, Kernels kernels) {
        if (kind == Kind.BINARY) {
            copy(row.isNullAt(field) ? null : binary(row, field), dst, at, kernels);
            return;
        }
        int frames = frames(row, field);
        if (kind == Kind.NESTED) {
            ArrayData a = row.getArray(field);
            for (int t = 0; t < frames; t++) {
                if (a.isNullAt(t))
                    throw new BadClipException("frame " + t + " of '" + column + "' is null");
                ArrayData f = a.getArray(t);
                if (f.numElements() != inputSize)
                    throw new BadClipException(
                            "frame "
                                    + t
                                    + " of '"
                                    + column
                                    + "' holds "
                                    + f.numElements()
                                    + " floats, not N_x = "
                                    + inputSize);
                copyFloats(f, dst, at + (long) t * inputSize, t);
            }
        } else {
            copyFloats(row.getArray(field), dst, at, -1);
        }
        requireFinite(dst, at, frames, kernels);
    }

    /**
     * Copies a {@code binary} clip given as its bytes ({@link #frames(MemorySegment)} frames) to
     * {@code dst} from float {@code at}, checking it.
     */
    void copy(MemorySegment binary, MemorySegment dst, long at, Kernels kernels) {
        int frames = frames(binary);
        MemorySegment.copy(
                binary,
                LITTLE_ENDIAN_FLOAT,
                0,
                dst,
                ValueLayout.JAVA_FLOAT,
                at * Float.BYTES,
                (long) frames * inputSize);
        requireFinite(dst, at, frames, kernels);
    }

    private void requireFinite(MemorySegment dst, long at, int frames, Kernels kernels) {
        long n = (long) frames * inputSize;
        for (long done = 0; done < n; done += Integer.MAX_VALUE / 2) {
            int len = (int) Math.min(n - done, Integer.MAX_VALUE / 2);
            int bad = kernels.firstNonFinite(dst, at + done, len);
            if (bad >= 0) {
                long e = done + bad;
                throw new BadClipException(
                        "non-finite value "
                                + dst.getAtIndex(ValueLayout.JAVA_FLOAT, at + e)
                                + " at frame "
                                + e / inputSize
                                + ", index "
                                + e % inputSize);
            }
        }
    }

    /**
     * The bytes of binary field {@code field}: where they lie in an {@link UnsafeRow} on the heap
     * (Spark's row format: the field's word holds the offset and size of its bytes), else a copy.
     */
    private static MemorySegment binary(InternalRow row, int field) {
        if (row instanceof UnsafeRow u && u.getBaseObject() instanceof byte[] heap) {
            long offsetAndSize = u.getLong(field);
            long offset = offsetAndSize >>> 32;
            int size = (int) offsetAndSize;
            return MemorySegment.ofArray(heap)
                    .asSlice(u.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET + offset, size);
        }
        return MemorySegment.ofArray(row.getBinary(field));
    }

    /** One flat float array to {@code dst[at..]}; {@code frame >= 0} when it is that one frame. */
    private void copyFloats(ArrayData a, MemorySegment dst, long at, int frame) {
        int n = a.numElements();
        MemorySegment src = a instanceof UnsafeArrayData u ? view(u) : null;
        if (src == null) {
            for (int e = 0; e < n; e++) {
                if (a.isNullAt(e)) throw nullElement(frame, e);
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, at + e, a.getFloat(e));
            }
            return;
        }
        // UnsafeArrayData: [numElements: 8 bytes][null bits, whole words][values]
        int words = (n + 63) / 64;
        for (int w = 0; w < words; w++) {
            long bits = src.get(WORD, 8 + 8L * w);
            if (bits != 0) throw nullElement(frame, 64 * w + Long.numberOfTrailingZeros(bits));
        }
        MemorySegment.copy(
                src,
                UnsafeArrayData.calculateHeaderPortionInBytes(n),
                dst,
                at * Float.BYTES,
                (long) n * Float.BYTES);
    }

    private BadClipException nullElement(int frame, int e) {
        if (frame >= 0)
            return new BadClipException(
                    "null value at frame " + frame + ", index " + e + " of '" + column + "'");
        return new BadClipException(
                "null value at frame "
                        + e / inputSize
                        + ", index "
                        + e % inputSize
                        + " of '"
                        + column
                        + "'");
    }

    /**
     * The array's bytes as a segment, or null when it lives somewhere this cannot see (then the
     * slow path runs).
     */
    private static MemorySegment view(UnsafeArrayData u) {
        long bytes = u.getSizeInBytes();
        Object base = u.getBaseObject();
        if (base instanceof byte[] heap) {
            return MemorySegment.ofArray(heap)
                    .asSlice(u.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET, bytes);
        }
        return null;
    }
}
