package fdht.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.kernels.KernelProvider;
import org.junit.jupiter.api.Test;

/**
 * Loading the vector kernels puts the directive that keeps C1 off them on the JVM's directive
 * stack.
 */
class C1DirectiveTest {
    @Test
    void theVectorKernelsAreExcludedFromC1() throws Exception {
        assumeTrue(
                KernelProvider.kernels().name().startsWith("vector"),
                "the vector kernels are not in use in this run");
        String stack = C1Directive.diagnosticCommand("compilerDirectivesPrint");
        for (String m : C1Directive.METHODS)
            assertTrue(stack.contains(m), "directive stack without " + m + ":\n" + stack);
    }
}
