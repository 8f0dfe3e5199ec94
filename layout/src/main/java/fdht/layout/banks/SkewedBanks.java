package fdht.layout.banks;

/**
 * A conflict-free bank assignment for one {@link Boundary}: the writer's groups of {@code B}
 * consecutive elements (in its order) and the reader's groups of {@code B} consecutive elements (in
 * its permuted order) each land in {@code B} distinct banks.
 *
 * <p>Our reconstruction of the paper's "matrix transformation ... without any access conflict in an
 * on-the-fly way". Elements are the edges of a bipartite multigraph between writer groups and
 * reader groups, every vertex of degree at most {@code B}; by König's edge-colouring theorem it has
 * a proper colouring with {@code B} colours, and a colour is a bank. It is found by recursive Euler
 * splitting ({@code B} a power of two): pad to a {@code B}-regular graph (only the last writer and
 * reader groups are partial, and they miss the same number of edges), split every component's Euler
 * circuit into alternate edges, recurse on both halves down to perfect matchings. Offsets number
 * the elements of each bank in writer order, so the mapping is a bijection with every bank holding
 * at most {@code ceil(E/B)} words: no padding. In hardware the table is fixed when the plan is
 * compiled (an address ROM or generator per stage); a boundary that does not transpose needs none,
 * row-major is already conflict-free there. Costs {@code O(E log B)} time and about 40 bytes per
 * element while building, 2 or 4 bytes per element after.
 *
 * <p>Thread safety: Immutable once built and thread-safe.
 */
public final class SkewedBanks implements BankMapping {
    private final int banks;
    private final int elements;
    private final short[] bank;
    private final int[] offset;

    public SkewedBanks(Boundary boundary, int banks) {
        this.banks = BankMapping.checkBanks(banks);
        this.elements = boundary.size();
        int[] readerOrder = boundary.readerOrder();
        int groups = (elements + banks - 1) / banks;
        int padded = groups * banks;
        // edge e joins writer group e / B with reader group (position of e in reader order) / B
        int[] left = new int[padded], right = new int[padded];
        for (int r = 0; r < elements; r++) {
            int w = readerOrder[r];
            left[w] = w / banks;
            right[w] = r / banks;
        }
        for (int e = elements; e < padded; e++) {
            left[e] = groups - 1;
            right[e] = groups - 1;
        }
        int[] colour = new int[padded];
        int[] edges = new int[padded];
        for (int e = 0; e < padded; e++) edges[e] = e;
        new EulerSplit(left, right, groups, colour).colour(edges, padded, banks, 0);
        this.bank = new short[elements];
        this.offset = new int[elements];
        int[] next = new int[banks];
        for (int w = 0; w < elements; w++) {
            bank[w] = (short) colour[w];
            offset[w] = next[colour[w]]++;
        }
    }

    @Override
    public String name() {
        return "skewed";
    }

    @Override
    public int banks() {
        return banks;
    }

    @Override
    public int bank(int w) {
        return bank[w];
    }

    @Override
    public long offset(int w) {
        return offset[w];
    }

    @Override
    public long wordsPerBank() {
        return (elements + banks - 1) / banks;
    }

    /** Recursive Euler splitting of a regular bipartite multigraph into perfect matchings. */
    private static final class EulerSplit {
        final int[] left, right, colour;
        final int groups;
        // scratch reused across calls, sized for the whole graph
        final int[] degree, start, adj, ptr, stackV, stackE, circuit;
        final boolean[] used;

        EulerSplit(int[] left, int[] right, int groups, int[] colour) {
            this.left = left;
            this.right = right;
            this.groups = groups;
            this.colour = colour;
            int e = left.length, v = 2 * groups;
            degree = new int[v + 1];
            start = new int[v + 1];
            adj = new int[2 * e];
            ptr = new int[v];
            stackV = new int[e + 1];
            stackE = new int[e + 1];
            circuit = new int[e];
            used = new boolean[left.length];
        }

        /** Colours edges[0..n) of a D-regular subgraph with colours base..base+D-1. */
        void colour(int[] edges, int n, int d, int base) {
            if (n == 0) return;
            if (d == 1) {
                for (int i = 0; i < n; i++) colour[edges[i]] = base;
                return;
            }
            int[] halfA = new int[n / 2], halfB = new int[n / 2];
            split(edges, n, halfA, halfB);
            colour(halfA, n / 2, d / 2, base);
            colour(halfB, n / 2, d / 2, base + d / 2);
        }

        /** Alternate edges of every Euler circuit go to the two halves. */
        private void split(int[] edges, int n, int[] halfA, int[] halfB) {
            int v = 2 * groups;
            java.util.Arrays.fill(degree, 0);
            for (int i = 0; i < n; i++) {
                int e = edges[i];
                degree[left[e]]++;
                degree[groups + right[e]]++;
                used[e] = false;
            }
            start[0] = 0;
            for (int x = 0; x < v; x++) start[x + 1] = start[x] + degree[x];
            for (int x = 0; x < v; x++) ptr[x] = start[x];
            for (int i = 0; i < n; i++) {
                int e = edges[i];
                adj[ptr[left[e]]++] = e;
                adj[ptr[groups + right[e]]++] = e;
            }
            for (int x = 0; x < v; x++) ptr[x] = start[x];
            int a = 0, b = 0;
            for (int s = 0; s < v; s++) {
                if (ptr[s] == start[s + 1]) continue;
                // iterative Hierholzer from s; edges come off the stack in circuit order
                int top = 0, len = 0;
                stackV[0] = s;
                stackE[0] = -1;
                while (top >= 0) {
                    int x = stackV[top];
                    while (ptr[x] < start[x + 1] && used[adj[ptr[x]]]) ptr[x]++;
                    if (ptr[x] < start[x + 1]) {
                        int e = adj[ptr[x]++];
                        used[e] = true;
                        int y = x < groups ? groups + right[e] : left[e];
                        top++;
                        stackV[top] = y;
                        stackE[top] = e;
                    } else {
                        if (stackE[top] >= 0) circuit[len++] = stackE[top];
                        top--;
                    }
                }
                // a closed walk in a bipartite graph has even length, so alternation is consistent
                for (int i = 0; i < len; i++) {
                    if ((i & 1) == 0) halfA[a++] = circuit[i];
                    else halfB[b++] = circuit[i];
                }
            }
            if (a != b || a != n / 2)
                throw new IllegalStateException(
                        "Euler split produced halves of " + a + " and " + b + " edges out of " + n);
        }
    }
}
