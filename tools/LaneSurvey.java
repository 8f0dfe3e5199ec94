import fdht.accel.Workload;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.LanePlan;
import fdht.layout.TtFormat;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Which plans run in the lane layout and which fall back to the row-major plan (not part of CI): for
 * every layer of the model files given, LSTM-UCF and LSTM-Youtube (FDHT, HT on W_x, TT at ranks 2,
 * 4, 8), or the HT formats given as {@code rows/cols/rank} after {@code --formats}, at batch 1, 3
 * and 16 and 16 and 8 lanes: the plan's multiply-adds, the work of its cheapest lane groups over
 * them ({@link LanePlan#workRatio}) and whether that is within {@link LanePlan#MAX_WASTE}. Run as
 * {@code java --add-modules=jdk.incubator.vector -cp <the cli module's classpath> tools/LaneSurvey.java
 * [model.safetensors ...] [--formats 4x2x2/4x5x5/3 ...]}.
 */
public class LaneSurvey {
    public static void main(String[] args) throws Exception {
        int[] batches = {1, 3, 16};
        int formats = Arrays.asList(args).indexOf("--formats");
        if (formats >= 0) {
            for (String f : Arrays.copyOfRange(args, formats + 1, args.length)) {
                String[] p = f.split("/");
                HtFormat ht = HtFormat.uniform(factors(p[0]), factors(p[1]), Integer.parseInt(p[2]));
                for (int b : batches) show(f, ContractionPlanner.plan(ht, b));
            }
            args = Arrays.copyOf(args, formats);
        }
        for (String f : args) {
            try (Arena arena = Arena.ofConfined()) {
                LstmStack st = LstmModelFile.readStack(Path.of(f), arena);
                for (int l = 0; l < st.layerCount(); l++)
                    for (int d = 0; d < st.directions(); d++) {
                        Lstm lstm = st.layer(l, d);
                        String name = Path.of(f).getFileName() + " layer " + l + " dir " + d;
                        for (int b : batches) lstm.plan(b).ifPresent(p -> show(name, p));
                    }
            }
        }
        if (formats >= 0 || args.length > 0) return;
        for (Workload w : List.of(Workload.lstmUcf(), Workload.lstmYoutube())) {
            int[] in = w.name().contains("ucf") ? new int[] {8, 20, 20, 18} : new int[] {4, 20, 20, 36};
            int[] m = w.fdht().matrix().rowFactors(), n = w.fdht().matrix().colFactors();
            for (int rank : new int[] {2, 4, 8})
                for (int b : batches) {
                    show(w.name() + " fdht r" + rank, ContractionPlanner.plan(HtFormat.uniform(m, n, rank), b));
                    show(w.name() + " ht-input r" + rank, ContractionPlanner.plan(HtFormat.uniform(m, in, rank), b));
                    TtFormat tt = TtFormat.uniform(w.sameFormat().matrix().rowFactors(), w.sameFormat().matrix().colFactors(), rank);
                    show(w.name() + " tt r" + rank, ContractionPlanner.tieOrder(tt, b));
                }
        }
    }

    private static int[] factors(String s) {
        return Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    private static void show(String name, ContractionPlan p) {
        for (int lanes : new int[] {16, 8}) {
            double r = LanePlan.workRatio(p, lanes);
            System.out.printf(
                    "%-44s batch %-3d lanes %-2d MACs %,11d  work %5.2fx  %s%n",
                    name,
                    p.batch(),
                    lanes,
                    p.totalMacs(),
                    r,
                    r <= LanePlan.MAX_WASTE ? LanePlan.describe(p, lanes).orElseThrow() : "row-major (falls back)");
        }
    }
}
