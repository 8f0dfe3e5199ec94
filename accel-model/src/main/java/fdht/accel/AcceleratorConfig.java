package fdht.accel;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Parameters of one modelled chip: PE array, number format, clock, banked working memory and how it
 * transforms intermediates ({@link MemoryLayout}), SRAM sizes, the weight-read width of a dense
 * stage, DRAM, and the energy and area tables. Loaded from a properties file a user can edit; every
 * value carries its {@link Provenance} ({@code key.source = sourced|fitted|assumed: note}), and a
 * value without one is rejected. The bundled defaults are {@code fdht.properties} and {@code
 * tie.properties}; {@link #with} makes variants for sweeps and sensitivity runs.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public final class AcceleratorConfig {
    /**
     * Every key a config must give (with its {@code .source}); {@code published_area_mm2} is
     * optional.
     */
    public static final List<String> KEYS =
            List.of(
                    "pes",
                    "lanes",
                    "bits",
                    "fraction_bits",
                    "clock_mhz",
                    "banks",
                    "layout",
                    "work_buffer_kb",
                    "weight_sram_kb",
                    "input_buffer_kb",
                    "dense_weight_words_per_cycle",
                    "dram_gbps",
                    "energy_mac_pj",
                    "energy_sram_word_8kb_pj",
                    "energy_sram_write_factor",
                    "energy_dram_bit_pj",
                    "leakage_mw_per_mm2",
                    "clock_power_mw_per_mm2",
                    "area_mac_mm2",
                    "area_sram_mm2_per_kb",
                    "area_control_mm2");

    private final String name;
    private final String where;
    private final Map<String, String> values;
    private final Map<String, Provenance> provenance;
    private final int pes, lanes, bits, fractionBits, banks;
    private final MemoryLayout layout;
    private final double clockMhz,
            workBufferKb,
            weightSramKb,
            inputBufferKb,
            denseWeightWordsPerCycle,
            dramGbps,
            energyMacPj,
            energySramWord8kbPj,
            energySramWriteFactor,
            energyDramBitPj,
            leakageMwPerMm2,
            clockPowerMwPerMm2,
            areaMacMm2,
            areaSramMm2PerKb,
            areaControlMm2,
            publishedAreaMm2;

    private AcceleratorConfig(
            String name,
            Map<String, String> values,
            Map<String, Provenance> provenance,
            String where) {
        this.name = name;
        this.where = where;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        pes = integer("pes", 1, 1 << 16);
        lanes = integer("lanes", 1, 1 << 12);
        bits = integer("bits", 2, 32);
        fractionBits = integer("fraction_bits", 0, bits - 1);
        banks = integer("banks", 1, 1024);
        if (Integer.bitCount(banks) != 1)
            throw new IllegalArgumentException(
                    where + ": banks " + banks + " must be a power of two from 1 to 1024");
        layout = MemoryLayout.of(str("layout"));
        clockMhz = positive("clock_mhz");
        workBufferKb = positive("work_buffer_kb");
        weightSramKb = positive("weight_sram_kb");
        inputBufferKb = positive("input_buffer_kb");
        denseWeightWordsPerCycle = positive("dense_weight_words_per_cycle");
        dramGbps = positive("dram_gbps");
        energyMacPj = nonNegative("energy_mac_pj");
        energySramWord8kbPj = nonNegative("energy_sram_word_8kb_pj");
        energySramWriteFactor = nonNegative("energy_sram_write_factor");
        energyDramBitPj = nonNegative("energy_dram_bit_pj");
        leakageMwPerMm2 = nonNegative("leakage_mw_per_mm2");
        clockPowerMwPerMm2 = nonNegative("clock_power_mw_per_mm2");
        areaMacMm2 = nonNegative("area_mac_mm2");
        areaSramMm2PerKb = nonNegative("area_sram_mm2_per_kb");
        areaControlMm2 = nonNegative("area_control_mm2");
        publishedAreaMm2 =
                values.containsKey("published_area_mm2")
                        ? positive("published_area_mm2")
                        : Double.NaN;
        for (String k : values.keySet()) {
            if (!provenance.containsKey(k))
                throw new IllegalArgumentException(
                        where
                                + ": '"
                                + k
                                + "' has no '"
                                + k
                                + ".source = sourced|fitted|assumed: ...'");
        }
    }

    /** The bundled FDHT accelerator defaults. */
    public static AcceleratorConfig fdht() {
        return bundled("fdht.properties");
    }

    /** The bundled TIE defaults. */
    public static AcceleratorConfig tie() {
        return bundled("tie.properties");
    }

    private static AcceleratorConfig bundled(String file) {
        try (InputStream in = AcceleratorConfig.class.getResourceAsStream("/fdht/accel/" + file)) {
            if (in == null)
                throw new IllegalStateException(
                        "bundled accelerator config " + file + " is missing");
            Properties p = new Properties();
            p.load(in);
            return of(p, file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled config " + file, e);
        }
    }

    /** A config file: every key of {@link #KEYS} and its {@code .source} must be present. */
    public static AcceleratorConfig load(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            Properties p = new Properties();
            p.load(r);
            return of(p, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read accelerator config " + file + ": " + e.getMessage());
        }
    }

    static AcceleratorConfig of(Properties p, String where) {
        String name = p.getProperty("name");
        if (name == null) throw new IllegalArgumentException(where + ": missing 'name'");
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Provenance> prov = new LinkedHashMap<>();
        for (String k : KEYS) {
            String v = p.getProperty(k);
            if (v == null) throw new IllegalArgumentException(where + ": missing '" + k + "'");
            values.put(k, v.strip());
        }
        if (p.containsKey("published_area_mm2"))
            values.put("published_area_mm2", p.getProperty("published_area_mm2").strip());
        for (String k : values.keySet()) {
            String s = p.getProperty(k + ".source");
            if (s != null) prov.put(k, Provenance.parse(s.strip(), where + ": '" + k + ".source'"));
        }
        for (String k : p.stringPropertyNames()) {
            String base =
                    k.endsWith(".source") ? k.substring(0, k.length() - ".source".length()) : k;
            if (!base.equals("name") && !values.containsKey(base))
                throw new IllegalArgumentException(where + ": unknown key '" + k + "'");
        }
        return new AcceleratorConfig(name.strip(), values, prov, where);
    }

    /**
     * The same chip with {@code key} set to {@code value}, marked {@code mark} (sweeps, sensitivity
     * runs).
     */
    public AcceleratorConfig with(String key, String value, Provenance mark) {
        if (!values.containsKey(key) && !key.equals("published_area_mm2"))
            throw new IllegalArgumentException("unknown config key '" + key + "'");
        Map<String, String> v = new LinkedHashMap<>(values);
        Map<String, Provenance> p = new LinkedHashMap<>(provenance);
        v.put(key, value);
        p.put(key, mark);
        return new AcceleratorConfig(name, v, p, where + " with " + key + " = " + value);
    }

    /** The same chip with another layout, PE count and bank count, marked as assumed. */
    public AcceleratorConfig with(MemoryLayout newLayout, int newPes, int newBanks) {
        Provenance swept = new Provenance(Provenance.Kind.ASSUMED, "varied");
        return with("layout", newLayout.key(), swept)
                .with("pes", Integer.toString(newPes), swept)
                .with("banks", Integer.toString(newBanks), swept);
    }

    public String name() {
        return name;
    }

    /** The raw value of {@code key} as written in the config. */
    public String value(String key) {
        return values.get(key);
    }

    /** Every key and its provenance, sorted by key. */
    public Map<String, Provenance> provenance() {
        return new TreeMap<>(provenance);
    }

    public int pes() {
        return pes;
    }

    public int lanes() {
        return lanes;
    }

    public int bits() {
        return bits;
    }

    public int fractionBits() {
        return fractionBits;
    }

    public double clockMhz() {
        return clockMhz;
    }

    public int banks() {
        return banks;
    }

    public MemoryLayout layout() {
        return layout;
    }

    public double workBufferKb() {
        return workBufferKb;
    }

    public double weightSramKb() {
        return weightSramKb;
    }

    public double inputBufferKb() {
        return inputBufferKb;
    }

    public double denseWeightWordsPerCycle() {
        return denseWeightWordsPerCycle;
    }

    public double dramGbps() {
        return dramGbps;
    }

    public double energyMacPj() {
        return energyMacPj;
    }

    public double energySramWord8kbPj() {
        return energySramWord8kbPj;
    }

    public double energySramWriteFactor() {
        return energySramWriteFactor;
    }

    public double energyDramBitPj() {
        return energyDramBitPj;
    }

    public double leakageMwPerMm2() {
        return leakageMwPerMm2;
    }

    public double clockPowerMwPerMm2() {
        return clockPowerMwPerMm2;
    }

    public double areaMacMm2() {
        return areaMacMm2;
    }

    public double areaSramMm2PerKb() {
        return areaSramMm2PerKb;
    }

    public double areaControlMm2() {
        return areaControlMm2;
    }

    /** The chip's published area, NaN if none. */
    public double publishedAreaMm2() {
        return publishedAreaMm2;
    }

    /**
     * Area modelled from the unit costs: MACs, all SRAMs (two ping-pong working buffers), control.
     */
    public double modelledAreaMm2() {
        return pes * lanes * areaMacMm2
                + (2 * workBufferKb + weightSramKb + inputBufferKb) * areaSramMm2PerKb
                + areaControlMm2;
    }

    /**
     * The area the efficiency figures use: the published one when there is one, else the modelled
     * one.
     */
    public double areaMm2() {
        return Double.isNaN(publishedAreaMm2) ? modelledAreaMm2() : publishedAreaMm2;
    }

    private String str(String key) {
        return values.get(key);
    }

    private double num(String key) {
        try {
            return Double.parseDouble(str(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' = '" + str(key) + "' is not a number");
        }
    }

    private double positive(String key) {
        double v = num(key);
        if (!(v > 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(
                    where + ": '" + key + "' = " + str(key) + " must be positive and finite");
        return v;
    }

    private double nonNegative(String key) {
        double v = num(key);
        if (!(v >= 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(
                    where + ": '" + key + "' = " + str(key) + " must be non-negative and finite");
        return v;
    }

    private int integer(String key, int lo, int hi) {
        int v;
        try {
            v = Integer.parseInt(str(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' = '" + str(key) + "' is not an integer");
        }
        if (v < lo || v > hi)
            throw new IllegalArgumentException(
                    where + ": '" + key + "' = " + v + " must be " + lo + ".." + hi);
        return v;
    }

    @Override
    public String toString() {
        return name + " (" + where + ")";
    }
}
