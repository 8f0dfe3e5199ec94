package fdht.spark;

/**
 * What scoring does with a clip it cannot score (a null or wrongly sized array, a null element, NaN
 * or infinity): report it in the row's {@code error} column, or fail the job with a message naming
 * the row. A bad clip never gets a score.
 */
public enum BadRows {
    /** The row is kept with null scores and the reason in its {@code error} column. */
    ERROR_COLUMN,
    /** The task throws, naming the row; Spark fails the job (after its task retries). */
    FAIL
}
