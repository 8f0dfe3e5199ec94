package fdht.train.data;

/**
 * The two sizes of the MFM-40 task (docs/MFM40.md): {@link #MFM} draws the 28x28 item on a 64x64
 * canvas at speeds {1, 2, 3} pixels a frame (4,096 inputs a frame); {@link #MFM_UCF} draws it
 * scaled 3x (each pixel a 3x3 block, 84x84) on a 240x240 canvas at speeds {3, 6, 9} (57,600 inputs
 * a frame, LSTM-UCF's input size). Motions, labels and splits are the same; clip {@code i} of both
 * shows the same image moving in the same direction at the same speed class.
 *
 * <p>Thread safety: an enum of constants.
 */
public enum MfmTask {
    MFM("mfm", "MFM-40", 64, 1),
    MFM_UCF("mfm-ucf", "MFM-40-UCF", 240, 3);

    private final String word;
    private final String title;
    private final int canvas;
    private final int scale;

    MfmTask(String word, String title, int canvas, int scale) {
        this.word = word;
        this.title = title;
        this.canvas = canvas;
        this.scale = scale;
    }

    /** As the command line spells it: {@code mfm} or {@code mfm-ucf}. */
    public String word() {
        return word;
    }

    /** As the docs name it: {@code MFM-40} or {@code MFM-40-UCF}. */
    public String title() {
        return title;
    }

    /** Side of the square canvas, pixels. */
    public int canvas() {
        return canvas;
    }

    /** Each item pixel is a {@code scale x scale} block; speeds are {@code scale x {1, 2, 3}}. */
    public int scale() {
        return scale;
    }

    /** Side of the drawn item: {@code 28 * scale}. */
    public int itemSide() {
        return FashionMnist.SIDE * scale;
    }

    /** The largest top-left coordinate that keeps the item inside: 36 or 156. */
    public int maxPosition() {
        return canvas - itemSide();
    }

    /** Inputs per frame: 4,096 or 57,600. */
    public int frameSize() {
        return canvas * canvas;
    }

    /** Parses {@code mfm} or {@code mfm-ucf} (any case), naming both when it is neither. */
    public static MfmTask parse(String s) {
        for (MfmTask t : values()) if (t.word.equalsIgnoreCase(s.strip())) return t;
        throw new IllegalArgumentException(
                "task '" + s + "' is unknown: expected mfm (MFM-40, 64x64) or mfm-ucf (240x240)");
    }

    @Override
    public String toString() {
        return word;
    }
}
