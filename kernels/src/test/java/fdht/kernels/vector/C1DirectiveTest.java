package fdht.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.kernels.KernelProvider;
import java.util.Arrays;
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

    /** A renamed kernel would leave a stale name on the list, which excludes nothing. */
    @Test
    void everyListedMethodExists() throws Exception {
        assumeTrue(
                KernelProvider.kernels().name().startsWith("vector"),
                "the vector kernels are not in use in this run");
        for (String m : C1Directive.METHODS) {
            int dot = m.lastIndexOf('.');
            Class<?> owner = Class.forName(m.substring(0, dot).replace('/', '.'));
            String name = m.substring(dot + 1);
            if (Arrays.stream(owner.getDeclaredMethods()).noneMatch(x -> x.getName().equals(name)))
                fail(m + " is on the directive's list but " + owner + " has no such method");
        }
    }
}
