package fdht.layout.banks;

import fdht.layout.Axis;
import fdht.layout.Stage;
import java.util.List;

/**
 * The CPU's lane layout of one intermediate ({@link fdht.layout.LanePlan}) as a banked memory: a
 * vector lane is a bank. The elements are numbered row-major over {@code axes} (the writer index);
 * {@code group}, some of those axes, is flattened to {@code g}, the others to {@code rest} (in
 * {@code axes} order), and element {@code (g, rest)} lives in bank {@code g mod lanes} at offset
 * {@code (g / lanes) * restSize + rest}; its float index in the CPU buffer is {@code offset * lanes
 * + bank}. Every element of the reduced view ({@code g / lanes}, {@code rest}) is one whole vector,
 * one word in each bank, so a vector load or store never conflicts. A group whose extent is not a
 * multiple of {@code lanes} leaves the last chunk's upper banks unused (padding); an empty group
 * (extent 1) uses bank 0 only.
 *
 * <p>The same object addresses the CPU kernels' buffers (through {@code LanePlan}) and can be
 * counted by {@link ConflictReport} under the accelerator's access order. Immutable and
 * thread-safe; O(axes) per lookup.
 */
public final class LaneBanks implements BankMapping {
    private final List<Axis> axes;
    private final List<Axis> group;
    private final int lanes;
    private final int[] size;
    private final boolean[] inGroup;
    private final long restSize, chunks;

    public LaneBanks(List<Axis> axes, List<Axis> group, int lanes) {
        if (lanes < 1) throw new IllegalArgumentException("lanes " + lanes + " must be >= 1");
        if (!axes.containsAll(group))
            throw new IllegalArgumentException("lane group " + group + " is not among " + axes);
        this.axes = List.copyOf(axes);
        this.group = List.copyOf(group);
        this.lanes = lanes;
        size = new int[axes.size()];
        inGroup = new boolean[axes.size()];
        long rest = 1;
        for (int i = 0; i < size.length; i++) {
            size[i] = axes.get(i).size();
            inGroup[i] = group.contains(axes.get(i));
            if (!inGroup[i]) rest *= size[i];
        }
        restSize = rest;
        long g = Stage.product(group);
        chunks = (g + lanes - 1) / lanes;
    }

    @Override
    public String name() {
        return "lanes" + group.stream().map(Axis::name).toList();
    }

    @Override
    public int banks() {
        return lanes;
    }

    @Override
    public int bank(int w) {
        return (int) (groupIndex(w) % lanes);
    }

    @Override
    public long offset(int w) {
        return groupIndex(w) / lanes * restSize + restIndex(w);
    }

    @Override
    public long wordsPerBank() {
        return chunks * restSize;
    }

    /** The float index of element {@code w} in the CPU's lane-layout buffer. */
    public long floatIndex(long w) {
        long g = groupIndex(w);
        return ((g / lanes) * restSize + restIndex(w)) * lanes + g % lanes;
    }

    /** Floats of the CPU buffer, padding included. */
    public long floats() {
        return chunks * restSize * lanes;
    }

    /** The flat index over the group (in group order) of element {@code w}. */
    private long groupIndex(long w) {
        long g = 0;
        for (Axis a : group) g = g * a.size() + coordinate(w, axes.indexOf(a));
        return g;
    }

    /** The flat index over the other axes (in {@code axes} order) of element {@code w}. */
    private long restIndex(long w) {
        long r = 0;
        for (int i = 0; i < size.length; i++) if (!inGroup[i]) r = r * size[i] + coordinate(w, i);
        return r;
    }

    private long coordinate(long w, int axis) {
        for (int i = size.length - 1; i > axis; i--) w /= size[i];
        return w % size[axis];
    }
}
