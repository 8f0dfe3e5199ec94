package fdht.layout.banks;

import fdht.layout.ContractionPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * The working memory of the accelerator laid out for a whole plan: one {@link BankMapping} per
 * {@link Boundary}, either {@link SkewedBanks} (conflict-free) or {@link RowMajorBanks} (the naive
 * contrast), with the conflict count of every boundary. Immutable once built; building the skewed
 * layout costs {@code O(E log B)} per boundary.
 */
public final class BankedLayout {
    private final String name;
    private final int banks;
    private final List<Boundary> boundaries;
    private final List<BankMapping> mappings;
    private final List<ConflictReport> conflicts;

    private BankedLayout(
            String name, int banks, List<Boundary> boundaries, List<BankMapping> mappings) {
        this.name = name;
        this.banks = banks;
        this.boundaries = List.copyOf(boundaries);
        this.mappings = List.copyOf(mappings);
        List<ConflictReport> c = new ArrayList<>();
        for (int i = 0; i < boundaries.size(); i++)
            c.add(ConflictReport.count(boundaries.get(i), mappings.get(i)));
        this.conflicts = List.copyOf(c);
    }

    /** The conflict-free layout of {@code plan} over {@code banks} banks. */
    public static BankedLayout skewed(ContractionPlan plan, int banks) {
        BankMapping.checkBanks(banks);
        List<Boundary> bs = Boundary.of(plan);
        List<BankMapping> ms = new ArrayList<>();
        for (Boundary b : bs)
            ms.add(b.transposes() ? new SkewedBanks(b, banks) : new RowMajorBanks(b.size(), banks));
        return new BankedLayout("skewed", banks, bs, ms);
    }

    /** The naive row-major layout of {@code plan}. */
    public static BankedLayout rowMajor(ContractionPlan plan, int banks) {
        BankMapping.checkBanks(banks);
        List<Boundary> bs = Boundary.of(plan);
        List<BankMapping> ms = new ArrayList<>();
        for (Boundary b : bs) ms.add(new RowMajorBanks(b.size(), banks));
        return new BankedLayout("row-major", banks, bs, ms);
    }

    public String name() {
        return name;
    }

    public int banks() {
        return banks;
    }

    public List<Boundary> boundaries() {
        return boundaries;
    }

    public List<BankMapping> mappings() {
        return mappings;
    }

    public List<ConflictReport> conflicts() {
        return conflicts;
    }

    public long totalStalls() {
        long s = 0;
        for (ConflictReport c : conflicts) s += c.stalls();
        return s;
    }

    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s layout, %d banks%n", name, banks));
        sb.append(
                String.format(
                        "%-22s %-9s %12s %12s %12s%n",
                        "boundary", "transpose", "elements", "write stalls", "read stalls"));
        for (ConflictReport c : conflicts) {
            sb.append(
                    String.format(
                            "%-22s %-9s %,12d %,12d %,12d%n",
                            c.label(),
                            c.transposes() ? "yes" : "no",
                            c.elements(),
                            c.writeStalls(),
                            c.readStalls()));
        }
        sb.append(String.format("total stall cycles %,d%n", totalStalls()));
        return sb.toString();
    }
}
