package fdht.kernels;

/**
 * How a compiled plan's rows are run, chosen once per plan and kernels when its workspace is made
 * (from the kernels' lanes, the plan's lane layouts and the {@link KernelOptions}) and never
 * changed per call: a row's result does not depend on the path (bit for bit), only its speed does.
 *
 * <p>Thread safety: An enum; thread-safe.
 */
public enum ExecutionPath {
    /**
     * Whole chunks of {@code lanes} batch rows with the batch as the lanes in every stage; rows
     * left over below one chunk run on the workspace's row path.
     */
    BATCH_LANES("batch lanes"),
    /** One row at a time in the lane layout, lanes from the plan's row axes. */
    ROW_LANES("row lanes"),
    /** One row at a time, row-major (the scalar kernels, or a plan with no lane layout). */
    ROW_MAJOR("row-major");

    private final String label;

    ExecutionPath(String label) {
        this.label = label;
    }

    /** "batch lanes", "row lanes" or "row-major", as {@code fdht inspect} prints it. */
    public String label() {
        return label;
    }
}
