package fdht.layout.banks;

/**
 * The naive layout, the measured contrast: element {@code w} in bank {@code w mod B} at offset
 * {@code w / B}. O(1) memory.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public record RowMajorBanks(int elements, int banks) implements BankMapping {
    public RowMajorBanks {
        BankMapping.checkBanks(banks);
    }

    @Override
    public String name() {
        return "row-major";
    }

    @Override
    public int bank(int w) {
        return w & (banks - 1);
    }

    @Override
    public long offset(int w) {
        return w / banks;
    }

    @Override
    public long wordsPerBank() {
        return (elements + banks - 1) / banks;
    }
}
