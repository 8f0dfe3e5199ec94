package fdht.layout.internal;

import fdht.layout.CompiledPlan;

/**
 * The raw tables of a {@link CompiledPlan} for the kernels' hot loops (the forward ones and the
 * trainer's backward ones): the arrays themselves, not copies, so a loop keeps them in locals. They
 * are shared by every thread that runs the plan: never write them. Everyone else reads {@link
 * CompiledPlan.Step#rowBase(int)}, {@link CompiledPlan.Step#contractedOffset(int)} and {@link
 * CompiledPlan#factors()}. This package is exported only to the fdht modules that run plans.
 *
 * <p>Costs one interface call per table fetched (once per stage call, not per element). Thread
 * safety: the access is granted once, by {@code CompiledPlan}'s class initialisation, before any
 * plan exists; thread-safe afterwards.
 */
public final class PlanTables {
    /** How {@code CompiledPlan} hands its tables out; implemented there alone. */
    public interface Access {
        int[] rowBaseTable(CompiledPlan.Step step);

        int[] contractedOffsetTable(CompiledPlan.Step step);

        float[] factorArray(CompiledPlan plan);
    }

    private static volatile Access access;

    private PlanTables() {}

    /**
     * Called once, by {@code CompiledPlan}'s class initialisation.
     *
     * @throws IllegalStateException when the access was already granted
     */
    public static synchronized void grant(Access a) {
        if (access != null) throw new IllegalStateException("the plan tables' access is granted");
        access = a;
    }

    /** The input offset of every row of {@code step}, the table itself; never write it. */
    public static int[] rowBaseTable(CompiledPlan.Step step) {
        return access.rowBaseTable(step);
    }

    /** The input offset of every contracted index of {@code step}, the table itself. */
    public static int[] contractedOffsetTable(CompiledPlan.Step step) {
        return access.contractedOffsetTable(step);
    }

    /**
     * For the lane kernels: {@link CompiledPlan#factors()} copied once into a heap array, the array
     * itself. The lane micro-kernel reads its broadcast operands (one factor entry per register)
     * from it: an array read is the smallest read C2 compiles, which keeps the register-blocked
     * kernel under C2's inlining budget (docs/PERFORMANCE.md).
     */
    public static float[] factorArray(CompiledPlan plan) {
        return access.factorArray(plan);
    }
}
