package fdht.layout.banks;

/**
 * Bank conflicts at one boundary under one mapping. A group of {@code B} accesses issued together
 * takes as many cycles as the most-used bank among them; its stall cycles are that minus one.
 *
 * <p>Thread safety: Immutable and thread-safe.
 *
 * @param writeStalls stall cycles of all writer groups
 * @param readStalls stall cycles of all reader groups
 * @param worstGroup the most accesses any group sends to one bank
 */
public record ConflictReport(
        String label,
        String mapping,
        boolean transposes,
        int elements,
        int groups,
        long writeStalls,
        long readStalls,
        int worstGroup) {

    /** Counts the stalls of {@code b}'s writer and reader groups under {@code m}. O(E). */
    public static ConflictReport count(Boundary b, BankMapping m) {
        int n = b.size(), banks = m.banks();
        int[] readerOrder = b.readerOrder();
        int[] hits = new int[banks];
        long writeStalls = 0, readStalls = 0;
        int worst = 0;
        for (int g = 0; g < n; g += banks) {
            int end = Math.min(n, g + banks);
            int maxW = 0, maxR = 0;
            for (int w = g; w < end; w++) maxW = Math.max(maxW, ++hits[m.bank(w)]);
            for (int w = g; w < end; w++) hits[m.bank(w)] = 0;
            for (int r = g; r < end; r++) maxR = Math.max(maxR, ++hits[m.bank(readerOrder[r])]);
            for (int r = g; r < end; r++) hits[m.bank(readerOrder[r])] = 0;
            writeStalls += maxW - 1;
            readStalls += maxR - 1;
            worst = Math.max(worst, Math.max(maxW, maxR));
        }
        return new ConflictReport(
                b.label(),
                m.name(),
                b.transposes(),
                n,
                (n + banks - 1) / banks,
                writeStalls,
                readStalls,
                worst);
    }

    public long stalls() {
        return writeStalls + readStalls;
    }

    /**
     * Null when {@code m} maps the {@code n} elements one-to-one onto (bank, offset) with every
     * offset below {@code wordsPerBank()}; else a description of the first clash.
     */
    public static String bijectionProblem(BankMapping m, int n) {
        long words = m.wordsPerBank();
        java.util.BitSet seen = new java.util.BitSet();
        for (int w = 0; w < n; w++) {
            int bank = m.bank(w);
            long off = m.offset(w);
            if (bank < 0 || bank >= m.banks())
                return "element " + w + " in bank " + bank + " of " + m.banks();
            if (off < 0 || off >= words)
                return "element " + w + " at offset " + off + " past " + words + " words";
            long slot = off * m.banks() + bank;
            if (slot > Integer.MAX_VALUE) return "slot overflow";
            if (seen.get((int) slot))
                return "element " + w + " shares bank " + bank + " offset " + off + " with another";
            seen.set((int) slot);
        }
        return null;
    }
}
