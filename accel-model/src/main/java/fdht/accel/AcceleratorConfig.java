package fdht.accel;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Parameters of a modelled accelerator: PE array, number format, clock, banked working memory,
 * SRAM sizes, DRAM bandwidth, and the energy and area tables. Loaded from a properties file a
 * user can edit; the bundled defaults ({@code fdht.properties}, {@code tie.properties}) cite
 * their sources in comments. Everything not published for FDHT or TIE is our reconstruction.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public record AcceleratorConfig(String name, int pes, int lanes, int bits, int fractionBits, double clockMhz, int banks,
                                double workBufferKb, double weightSramKb, double inputBufferKb, double dramGbps, String layout,
                                double energyMacPj, double energySramWord8kbPj, double energySramWriteFactor, double energyDramBitPj,
                                double leakageMwPerMm2, double areaMacMm2, double areaSramMm2PerKb, double areaControlMm2, double publishedAreaMm2) {

    public AcceleratorConfig {
        positive("pes", pes);
        positive("lanes", lanes);
        if (bits < 2 || bits > 32) throw new IllegalArgumentException("bits " + bits + " must be 2..32");
        if (fractionBits < 0 || fractionBits >= bits) throw new IllegalArgumentException("fraction_bits " + fractionBits + " must be 0.." + (bits - 1));
        positive("clock_mhz", clockMhz);
        if (banks < 1 || banks > 1024 || Integer.bitCount(banks) != 1) throw new IllegalArgumentException("banks " + banks + " must be a power of two from 1 to 1024");
        positive("work_buffer_kb", workBufferKb);
        positive("dram_gbps", dramGbps);
        if (!layout.equals("skewed") && !layout.equals("row-major")) throw new IllegalArgumentException("layout '" + layout + "' must be skewed or row-major");
    }

    private static void positive(String key, double v) {
        if (!(v > 0)) throw new IllegalArgumentException(key + " = " + v + " must be positive");
    }

    /** The bundled FDHT accelerator defaults. */
    public static AcceleratorConfig fdht() { return bundled("fdht.properties"); }

    /** The bundled TIE defaults. */
    public static AcceleratorConfig tie() { return bundled("tie.properties"); }

    private static AcceleratorConfig bundled(String file) {
        try (InputStream in = AcceleratorConfig.class.getResourceAsStream("/fdht/accel/" + file)) {
            if (in == null) throw new IllegalStateException("bundled accelerator config " + file + " is missing");
            Properties p = new Properties();
            p.load(in);
            return of(p, file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled config " + file, e);
        }
    }

    /** A config file: every key of the bundled files must be present. */
    public static AcceleratorConfig load(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            Properties p = new Properties();
            p.load(r);
            return of(p, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read accelerator config " + file + ": " + e.getMessage());
        }
    }

    static AcceleratorConfig of(Properties p, String where) {
        Values v = new Values(p, where);
        return new AcceleratorConfig(v.str("name"), v.integer("pes"), v.integer("lanes"), v.integer("bits"), v.integer("fraction_bits"),
                v.num("clock_mhz"), v.integer("banks"), v.num("work_buffer_kb"), v.num("weight_sram_kb"), v.num("input_buffer_kb"), v.num("dram_gbps"),
                v.str("layout"), v.num("energy_mac_pj"), v.num("energy_sram_word_8kb_pj"), v.num("energy_sram_write_factor"), v.num("energy_dram_bit_pj"),
                v.num("leakage_mw_per_mm2"), v.num("area_mac_mm2"), v.num("area_sram_mm2_per_kb"), v.num("area_control_mm2"),
                p.containsKey("published_area_mm2") ? v.num("published_area_mm2") : Double.NaN);
    }

    /** The same accelerator with another layout, PE count or bank count (sweeps, contrasts). */
    public AcceleratorConfig with(String newLayout, int newPes, int newBanks) {
        return new AcceleratorConfig(name, newPes, lanes, bits, fractionBits, clockMhz, newBanks, workBufferKb, weightSramKb, inputBufferKb, dramGbps,
                newLayout, energyMacPj, energySramWord8kbPj, energySramWriteFactor, energyDramBitPj, leakageMwPerMm2, areaMacMm2, areaSramMm2PerKb,
                areaControlMm2, publishedAreaMm2);
    }

    private record Values(Properties p, String where) {
        String str(String key) {
            String v = p.getProperty(key);
            if (v == null) throw new IllegalArgumentException(where + ": missing '" + key + "'");
            return v.strip();
        }

        double num(String key) {
            try {
                return Double.parseDouble(str(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": '" + key + "' = '" + str(key) + "' is not a number");
            }
        }

        int integer(String key) {
            try {
                return Integer.parseInt(str(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": '" + key + "' = '" + str(key) + "' is not an integer");
            }
        }
    }
}
