package fdht.train.data;

/**
 * Which of Fashion-MNIST's images clips are made from (docs/MFM40.md): the whole train split
 * ({@link #TRAIN}), its first nine tenths ({@link #FIT}: images 0..53,999, what training sees when
 * there is a validation split), its last tenth ({@link #VALIDATION}: images 54,000..59,999, which
 * training never sees), or the test split ({@link #TEST}). A part's clips are numbered from 0 and
 * use only its images (see {@link MovingFashionMnist}).
 *
 * <p>Thread safety: an enum of constants.
 */
public enum MfmPart {
    TRAIN("train", Split.TRAIN),
    FIT("fit", Split.TRAIN),
    VALIDATION("val", Split.TRAIN),
    TEST("test", Split.TEST);

    private final String word;
    private final Split split;

    MfmPart(String word, Split split) {
        this.word = word;
        this.split = split;
    }

    /** As the command line spells it: {@code train}, {@code fit}, {@code val} or {@code test}. */
    public String word() {
        return word;
    }

    /** The split whose images this part takes. */
    public Split split() {
        return split;
    }

    /**
     * This part's images of {@code whole}, which must be the whole of {@link #split()}: the
     * validation part is its last tenth ({@code n - n/10 .. n-1}), the fit part the rest.
     */
    public FashionMnist images(FashionMnist whole) {
        if (whole.split() != split || !whole.wholeSplit())
            throw new IllegalArgumentException(
                    "the " + word + " part is taken from the whole " + split.label() + " split");
        int n = whole.count(), validation = n / 10;
        return switch (this) {
            case TRAIN, TEST -> whole;
            case FIT -> whole.range(0, n - validation);
            case VALIDATION -> {
                if (validation < 1)
                    throw new IllegalArgumentException(
                            n + " train images leave none for validation (its last tenth)");
                yield whole.range(n - validation, n);
            }
        };
    }

    /** Parses {@code train}, {@code fit}, {@code val} or {@code test} (any case). */
    public static MfmPart parse(String s) {
        for (MfmPart p : values()) if (p.word.equalsIgnoreCase(s.strip())) return p;
        throw new IllegalArgumentException(
                "split '"
                        + s
                        + "' is unknown: expected train, fit (train images 0..53,999), val"
                        + " (54,000..59,999) or test");
    }
}
