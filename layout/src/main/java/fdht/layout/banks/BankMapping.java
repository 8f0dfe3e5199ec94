package fdht.layout.banks;

/**
 * Where each element of one intermediate lives in a memory of {@link #banks()} banks: a bank and an
 * offset (word address) inside it, for the element with writer index {@code w}.
 *
 * <p>Thread safety: Implementations are immutable and thread-safe.
 */
public interface BankMapping {
    String name();

    int banks();

    int bank(int w);

    long offset(int w);

    /** Words each bank must hold. */
    long wordsPerBank();

    /** Checks a bank count: a power of two from 1 to 1024. */
    static int checkBanks(int banks) {
        if (banks < 1 || banks > 1024 || Integer.bitCount(banks) != 1) {
            throw new IllegalArgumentException(
                    "bank count " + banks + " must be a power of two from 1 to 1024");
        }
        return banks;
    }
}
