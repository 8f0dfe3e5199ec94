package fdht.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AccuracyTest {
    @Test
    void wilsonIntervalMatchesPublishedValues() {
        // Newcombe (1998), Table I: 81 of 263 -> 0.2553 .. 0.3662; and the textbook 50 of 100, 0 of
        // 10
        Accuracy a = new Accuracy(81, 263);
        assertEquals(0.2553, a.low95(), 1e-4);
        assertEquals(0.3662, a.high95(), 1e-4);
        Accuracy half = new Accuracy(50, 100);
        assertEquals(0.4038, half.low95(), 1e-4);
        assertEquals(0.5962, half.high95(), 1e-4);
        Accuracy none = new Accuracy(0, 10);
        assertEquals(0.0, none.low95(), 1e-12);
        assertEquals(0.2775, none.high95(), 1e-4);
        Accuracy all = new Accuracy(10, 10);
        assertEquals(1.0, all.high95(), 1e-12);
        assertEquals(0.7225, all.low95(), 1e-4);
        assertTrue(
                half.toString().contains("50.00% (50 of 100)")
                        && half.toString().contains("[40.38%, 59.62%]"),
                half.toString());
        assertThrows(IllegalArgumentException.class, () -> new Accuracy(3, 2));
        assertTrue(Double.isNaN(new Accuracy(0, 0).fraction()));
    }
}
