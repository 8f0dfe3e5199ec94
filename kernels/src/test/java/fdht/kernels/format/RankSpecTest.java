package fdht.kernels.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;
import org.junit.jupiter.api.Test;

/**
 * The one parser of rank words: what it accepts, what it refuses (saying what is wrong, naming no
 * option), and that a rank never exceeds what its node can use.
 */
class RankSpecTest {
    // mode sizes m_k n_k: 8, 4, 6, 4 (768 in all); node (1,2) holds 32 = 8*4 inside, 24 outside
    static final int[] M = {4, 2, 2, 2}, NF = {2, 2, 3, 2};

    @Test
    void wordsParse() {
        assertInstanceOf(RankSpec.Full.class, RankSpec.parse(" full "));
        assertEquals(new RankSpec.Uniform(4), RankSpec.parse("4"));
        assertArrayEquals(
                new int[] {3, 2, 1}, ((RankSpec.PerNode) RankSpec.parse("3, 2,1")).ranks());
        assertEquals(4, RankSpec.parse("4").planningRank());
        assertEquals(5, RankSpec.parse("3,5,2").planningRank(), "planned for the largest");
        assertEquals(RankSpec.PLANNING_RANK, RankSpec.parse("full").planningRank());
        for (String bad : new String[] {"", "0", "-1", "4,x", "full,2", "2.5", "4,,4"}) {
            FormatSpecException e =
                    assertThrows(FormatSpecException.class, () -> RankSpec.parse(bad), bad);
            assertEquals(FormatSpecException.Part.RANKS, e.part());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertFalse(e.getMessage().contains("--"), e.getMessage());
        }
    }

    @Test
    void fullRanksAreTheExactMaximaOfEveryMatricisation() {
        DimensionTree tree = DimensionTree.balanced(4);
        HtFormat full = RankSpec.parse("full").ht(M, NF, tree);
        // leaves: min(m n, rest); node (1,2): min(32, 24, r1 r2 = 32) = 24; (3,4) likewise; root 1
        assertArrayEquals(new int[] {8, 4, 6, 4, 24, 24, 1}, full.ranks());
        HtFormat capped = RankSpec.parse("9,9,9,9,30,5,7").ht(M, NF, tree);
        assertArrayEquals(new int[] {8, 4, 6, 4, 24, 5, 1}, capped.ranks());
        assertArrayEquals(
                new int[] {3, 3, 3, 3, 3, 3, 1}, RankSpec.parse("3").ht(M, NF, tree).ranks());
        TtFormat tt = RankSpec.parse("full").tt(M, NF);
        // bonds: min(r_{k-1} m_k n_k, what lies right): 8, min(32, 24) = 24, min(144, 4) = 4
        assertArrayEquals(new int[] {1, 8, 24, 4, 1}, tt.bondRanks());
        assertArrayEquals(new int[] {1, 5, 5, 4, 1}, RankSpec.parse("5").tt(M, NF).bondRanks());
        // bond 2 at most r_1 m_2 n_2 = 2 * 4
        assertArrayEquals(
                new int[] {1, 2, 8, 3, 1}, RankSpec.parse("2,99,3").tt(M, NF).bondRanks());
    }

    @Test
    void aPerNodeListOfTheWrongLengthIsNamed() {
        FormatSpecException e =
                assertThrows(
                        FormatSpecException.class,
                        () -> RankSpec.parse("3,3,3").ht(M, NF, DimensionTree.balanced(4)));
        assertEquals(FormatSpecException.Part.RANKS, e.part());
        assertTrue(e.getMessage().contains("3 ranks for the 7 nodes"), e.getMessage());
        e = assertThrows(FormatSpecException.class, () -> RankSpec.parse("3,3").tt(M, NF));
        assertTrue(e.getMessage().contains("2 ranks for the 3 inner bonds"), e.getMessage());
    }
}
