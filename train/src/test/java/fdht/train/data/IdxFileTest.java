package fdht.train.data;

import static fdht.train.data.IdxFixtures.gzip;
import static fdht.train.data.IdxFixtures.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {
    @TempDir Path dir;

    private static final int[] DIMS = {3, 4, 5};

    private static byte[] data() {
        byte[] d = new byte[60];
        for (int i = 0; i < d.length; i++) d[i] = (byte) (i * 17);
        return d;
    }

    @Test
    void readsPlainAndGzipFiles() throws IOException {
        byte[] raw = idx(0x08, DIMS, data());
        for (byte[] bytes : new byte[][] {raw, gzip(raw)}) {
            Path f = Files.write(dir.resolve("ok.idx"), bytes);
            IdxFile.Array a = IdxFile.read(f, 3, 1000);
            assertArrayEquals(DIMS, a.dims());
            assertArrayEquals(data(), a.data());
            assertEquals((20 * 17) & 0xff, a.unsigned(20));
        }
    }

    @Test
    // a hang guard, not a benchmark: rejecting each file takes well under a millisecond; the
    // bound is generous for a loaded two-core CI, and a separate thread ends a real hang
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void hostileFilesGiveOneClearErrorNamingTheFile() throws IOException {
        byte[] raw = idx(0x08, DIMS, data());
        expectBad("empty", new byte[0], "shorter than the 4-byte IDX magic");
        byte[] badMagic = raw.clone();
        badMagic[0] = 7;
        expectBad("magic", badMagic, "bad magic");
        expectBad("type", idx(0x0D, DIMS, data()), "not unsigned byte");
        expectBad("rank", idx(0x08, new int[] {60}, data()), "IDX rank 1 where 3 is expected");
        expectBad("zero", idx(0x08, new int[] {0, 4, 5}, new byte[0]), "must be positive");
        expectBad("negative", idx(0x08, new int[] {-1, 4, 5}, new byte[0]), "must be positive");
        // a header that asks for 2^31 x 2^31 x ... bytes is refused before anything is allocated
        expectBad(
                "huge",
                idx(0x08, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 5}, new byte[0]),
                "exceed the bound of 1000");
        expectBad("dims", Arrays.copyOf(raw, 10), "ends inside the 3 dimensions");
        expectBad(
                "short",
                Arrays.copyOf(raw, raw.length - 1),
                "truncated: dimensions [3, 4, 5] need 60 data bytes but the file has 59");
        expectBad("trailing", Arrays.copyOf(raw, raw.length + 1), "trailing bytes");
        expectBad("gzshort", gzip(Arrays.copyOf(raw, raw.length - 1)), "decompressed data has 59");
        byte[] gz = gzip(raw);
        expectBad("gzcut", Arrays.copyOf(gz, gz.length / 2), "truncated");
        byte[] corrupt = gz.clone();
        for (int i = 12; i < corrupt.length - 8; i++) corrupt[i] ^= (byte) 0x5a;
        expectBad("gzcorrupt", corrupt, "");
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 6] ^= 1;
        expectBad("gzcrc", badCrc, "corrupt gzip");
        ModelFileException e =
                assertThrows(
                        ModelFileException.class,
                        () -> IdxFile.read(dir.resolve("absent.gz"), 3, 1000));
        assertTrue(
                e.getMessage().contains("absent.gz") && e.getMessage().contains("no such file"),
                e.getMessage());
    }

    private void expectBad(String name, byte[] bytes, String fragment) throws IOException {
        Path f = Files.write(dir.resolve(name + ".idx"), bytes);
        ModelFileException e =
                assertThrows(ModelFileException.class, () -> IdxFile.read(f, 3, 1000), name);
        assertTrue(
                e.getMessage().contains(fragment),
                name + ": expected '" + fragment + "' in: " + e.getMessage());
        assertTrue(
                e.getMessage().contains(f.toString()),
                name + ": the message must name the file: " + e.getMessage());
    }
}
