package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.layout.CompiledPlan;
import fdht.layout.PlanBuffer;
import fdht.layout.StageOperation;
import java.lang.foreign.MemorySegment;

/**
 * The lane-layout stage kernel as a {@link StageOperation}, so {@link fdht.layout.PlanWalker}
 * decides the buffers of a lane chunk as it does for a row: every {@link PlanBuffer} is one
 * lane-layout chunk of its own (the packed input, the two work buffers, the result), and a stage is
 * one {@link Kernels#contractLanes} over it. The gather moves whole lane vectors (element {@code e}
 * of every row of the chunk is {@code lanes} contiguous floats). Holds its buffers; allocates
 * nothing per walk. Not thread-safe, like the {@link PlanScratch} that owns it.
 */
final class LaneStages implements StageOperation {
    private final CompiledPlan plan;
    private final int lanes;
    // indexed by PlanBuffer.ordinal()
    private final MemorySegment[] segment = new MemorySegment[PlanBuffer.values().length];
    private Kernels kernels;

    LaneStages(
            CompiledPlan plan,
            int lanes,
            MemorySegment in,
            MemorySegment ping,
            MemorySegment pong,
            MemorySegment result) {
        this.plan = plan;
        this.lanes = lanes;
        segment[PlanBuffer.INPUT.ordinal()] = in;
        segment[PlanBuffer.PING.ordinal()] = ping;
        segment[PlanBuffer.PONG.ordinal()] = pong;
        segment[PlanBuffer.RESULT.ordinal()] = result;
    }

    /**
     * The kernels of the next walk (the caller's, which may differ from the provider's default).
     */
    void bind(Kernels kernels) {
        this.kernels = kernels;
    }

    @Override
    public void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to) {
        kernels.contractLanes(
                step,
                plan.factors(),
                segment[from.ordinal()],
                0,
                segment[to.ordinal()],
                0,
                lanes,
                1);
    }

    @Override
    public void gather(PlanBuffer from) {
        MemorySegment in = segment[from.ordinal()], out = segment[PlanBuffer.RESULT.ordinal()];
        long vector = (long) lanes * Float.BYTES;
        int n = (int) plan.resultSize();
        for (int e = 0; e < n; e++)
            MemorySegment.copy(in, plan.resultSourceAt(e) * vector, out, e * vector, vector);
    }
}
