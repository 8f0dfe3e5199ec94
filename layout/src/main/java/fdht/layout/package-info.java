/**
 * The HT and TT matrix formats (sealed {@link fdht.layout.MatrixFormat}: {@link
 * fdht.layout.HtFormat}, {@link fdht.layout.TtFormat}) and their weights in native memory, the
 * contraction planner and plans ({@link fdht.layout.ContractionPlanner}, {@link
 * fdht.layout.CompiledPlan}, {@link fdht.layout.LanePlan}) and the one stage walker both ways
 * ({@link fdht.layout.PlanWalker}). Imports only the JDK and {@code fdht.layout.banks}.
 */
package fdht.layout;
