package fdht.train.data;

import java.util.Locale;

/** Which half of a data set: clips of a split are made only from that split's images. */
public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String filePrefix;

    Split(String filePrefix) {
        this.filePrefix = filePrefix;
    }

    /**
     * The IDX file name prefix of this split in the (Fashion-)MNIST distribution: {@code train} or
     * {@code t10k}.
     */
    public String filePrefix() {
        return filePrefix;
    }

    /** {@code train} or {@code test}, as the command line spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code train} or {@code test} (any case). */
    public static Split parse(String s) {
        for (Split v : values()) if (v.label().equalsIgnoreCase(s)) return v;
        throw new IllegalArgumentException("split '" + s + "' is neither 'train' nor 'test'");
    }
}
