package fdht.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fitted config entries are what their fit gives: on the grid they were chosen on, the minimax
 * fit to the paper's four ratios is the bundled {@code dense_weight_words_per_cycle} (TIE) and
 * {@code clock_power_mw_per_mm2} (both chips), at the worst error docs/ACCELERATOR.md states; a fit
 * to three of them never errs more on those three than the fit to all four, and each left-out
 * prediction is reported.
 */
class JointFitTest {
    @Test
    void theBundledGridsFitIsTheBundledConfig() {
        List<JointFit.Target> targets = JointFit.targets();
        List<JointFit.Point> points = JointFit.points(JointFit.Grid.BUNDLED, targets);
        assertEquals(7 * 5, points.size());
        boolean[] all = new boolean[targets.size()];
        Arrays.fill(all, true);
        JointFit.Fit fit = JointFit.fit(points, targets, all);
        AcceleratorConfig tie = AcceleratorConfig.tie(), fdht = AcceleratorConfig.fdht();
        assertEquals(tie.denseWeightWordsPerCycle(), fit.point().words());
        assertEquals(tie.clockPowerMwPerMm2(), fit.point().clockPower());
        assertEquals(fdht.clockPowerMwPerMm2(), fit.point().clockPower());
        for (AcceleratorConfig c : List.of(tie, fdht))
            assertEquals(
                    Provenance.Kind.FITTED, c.provenance().get("clock_power_mw_per_mm2").kind());
        assertEquals(
                Provenance.Kind.FITTED,
                tie.provenance().get("dense_weight_words_per_cycle").kind());
        // docs/ACCELERATOR.md: "a worst error of 12.4%"
        assertEquals(0.124, fit.worstError(), 0.0005);
        // the point's ratios are the default comparison's
        double[] ucf = Comparison.run(Workload.lstmUcf(), fdht, tie).ourRatios();
        assertEquals(ucf[0], fit.point().ratios()[0], 1e-12);
        assertEquals(ucf[2], fit.point().ratios()[1], 1e-12);
        for (int k = 0; k < targets.size(); k++) {
            boolean[] three = all.clone();
            three[k] = false;
            JointFit.Fit f = JointFit.fit(points, targets, three);
            assertTrue(f.worstError() <= fit.worstError(), targets.get(k).label());
        }
        String table = JointFit.table(JointFit.Grid.BUNDLED);
        assertEquals(4, table.lines().filter(l -> l.startsWith("| lstm-")).count(), table);
    }
}
