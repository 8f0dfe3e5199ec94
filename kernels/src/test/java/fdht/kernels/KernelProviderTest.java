package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class KernelProviderTest {
    private static final String SERVER = "OpenJDK 64-Bit Server VM";

    /**
     * The width the run asked for ({@code -Dfdht.expectKernels=vector-256}) is the width in use, so
     * a surefire execution meant to test 128-bit kernels cannot silently test 512-bit or scalar
     * ones.
     */
    @Test
    void kernelsInUseAreTheKindAndWidthThisRunAskedFor() {
        String expected = System.getProperty("fdht.expectKernels");
        Assumptions.assumeTrue(expected != null, "run outside Maven: nothing to compare against");
        String name = KernelProvider.kernels().name();
        if (expected.startsWith("vector-")) {
            int asked = Integer.parseInt(expected.substring("vector-".length()));
            Assumptions.assumeTrue(
                    asked <= VectorWidth.widest(),
                    "this CPU's vectors are "
                            + VectorWidth.widest()
                            + " bits, narrower than the "
                            + asked
                            + " asked for");
            assertEquals(expected, name, "this run asked for " + expected + " kernels");
        } else {
            assertTrue(
                    name.startsWith(expected),
                    "this run asked for " + expected + " kernels but " + name + " were chosen");
        }
    }

    @Test
    void c2IsRequired() {
        Map<String, String> c2 =
                Map.of(
                        "UseCompiler",
                        "true",
                        "TieredCompilation",
                        "true",
                        "TieredStopAtLevel",
                        "4",
                        "UseJVMCICompiler",
                        "false");
        assertNull(
                KernelProvider.compilerUnavailableReason(SERVER, "mixed mode, sharing", c2::get));
        assertNull(
                KernelProvider.compilerUnavailableReason(
                        SERVER,
                        "mixed mode",
                        Map.of("TieredCompilation", "false", "TieredStopAtLevel", "1")::get),
                "-XX:-TieredCompilation is C2 alone, whatever TieredStopAtLevel says");
        assertNull(
                KernelProvider.compilerUnavailableReason(SERVER, "mixed mode", name -> null),
                "no management module: judged by java.vm.info");

        assertReason(
                "C2 is disabled",
                KernelProvider.compilerUnavailableReason(
                        SERVER,
                        "mixed mode, emulated-client, sharing",
                        Map.of("TieredCompilation", "true", "TieredStopAtLevel", "1")::get));
        assertReason(
                "TieredStopAtLevel=3",
                KernelProvider.compilerUnavailableReason(
                        SERVER,
                        "mixed mode, sharing",
                        Map.of("TieredCompilation", "true", "TieredStopAtLevel", "3")::get));
        assertReason(
                "-Xint",
                KernelProvider.compilerUnavailableReason(
                        SERVER, "interpreted mode, sharing", c2::get));
        assertReason(
                "-XX:-UseCompiler",
                KernelProvider.compilerUnavailableReason(
                        SERVER, "mixed mode", Map.of("UseCompiler", "false")::get));
        assertReason(
                "JVMCI",
                KernelProvider.compilerUnavailableReason(
                        SERVER, "mixed mode", Map.of("UseJVMCICompiler", "true")::get));
        assertReason(
                "not HotSpot",
                KernelProvider.compilerUnavailableReason("Eclipse OpenJ9 VM", "JRE 25", c2::get));
    }

    private static void assertReason(String part, String reason) {
        assertNotNull(reason, "expected a reason mentioning " + part);
        assertTrue(reason.contains(part), reason + " should mention " + part);
    }

    /**
     * Touches the incubator API only when a vector width is being checked (the scalar run lacks the
     * module).
     */
    private static final class VectorWidth {
        static int widest() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }

    @Test
    void aVectorWidthThatIsNotOneOfTheThreeIsRefusedNotIgnored() {
        assertEquals(-1, KernelOptions.vectorBits(null));
        assertEquals(0, KernelOptions.vectorBits("0"));
        assertEquals(256, KernelOptions.vectorBits(" 256"));
        for (String bad : new String[] {"64", "1024", "-1", "wide", "256bits"}) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> KernelOptions.vectorBits(bad),
                            bad);
            assertTrue(
                    e.getMessage()
                            .startsWith("fdht.vectorBits=" + bad + ": expected 128, 256 or 512"),
                    e.getMessage());
        }
    }
}
