package fdht.jmh;

/**
 * Checks at benchmark setup that a peer computes what fdht computes, so no trial times a wrong
 * answer.
 */
final class PeerCheck {
    private PeerCheck() {}

    static void close(String peer, float[] expect, float[] got, double tolerance) {
        if (expect.length != got.length)
            throw new IllegalStateException(
                    peer + " returned " + got.length + " values, fdht " + expect.length);
        for (int e = 0; e < expect.length; e++) {
            if (!(Math.abs(expect[e] - got[e]) <= tolerance)) {
                throw new IllegalStateException(
                        peer
                                + " disagrees with fdht at "
                                + e
                                + ": "
                                + got[e]
                                + " vs "
                                + expect[e]
                                + " (tolerance "
                                + tolerance
                                + ")");
            }
        }
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }
}
