package fdht.cli;

import fdht.kernels.FixedPoint;
import fdht.kernels.lstm.FixedPointLstm;
import fdht.kernels.lstm.LstmStack;
import fdht.train.data.LabelledClips;
import fdht.train.eval.ClassifierEvaluation;
import fdht.train.eval.FixedPointEvaluation;
import java.lang.foreign.Arena;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code fdht eval --fixed-point BITS [--fraction-bits F]}: scores the model through the
 * accelerator's fixed-point arithmetic ({@link FixedPointLstm}) instead of the float kernels. The
 * word is {@code BITS} wide (8, 12 or 16) with {@code F} fraction bits, by default half the word
 * (Q8.8, the accelerator config's own; Q6.6; Q4.4). A picocli mixin: the eval command declares it
 * and asks it whether to score in fixed point.
 */
final class FixedPointOption {
    /** The word widths the accelerator's tables use. */
    static final List<Integer> WIDTHS = List.of(8, 12, 16);

    @Option(
            names = "--fixed-point",
            paramLabel = "BITS",
            description =
                    "score through the accelerator's fixed-point arithmetic with BITS-bit words: 8, 12 or 16"
                            + " (what is quantised: docs/ACCELERATOR.md)")
    Integer bits;

    @Option(
            names = "--fraction-bits",
            paramLabel = "F",
            description =
                    "with --fixed-point: fraction bits of the word (default BITS/2: Q8.8, the accelerator model's, Q6.6, Q4.4)")
    Integer fraction;

    /** Whether eval scores in fixed point; throws when the options are not a word format. */
    boolean given() {
        if (bits == null) {
            if (fraction != null)
                throw new IllegalArgumentException("--fraction-bits goes with --fixed-point");
            return false;
        }
        format();
        return true;
    }

    /** The word format the options give. */
    FixedPoint format() {
        if (!WIDTHS.contains(bits))
            throw new IllegalArgumentException(
                    "--fixed-point " + bits + ": the word must be 8, 12 or 16 bits");
        int f = fraction == null ? bits / 2 : fraction;
        if (f < 0 || f >= bits)
            throw new IllegalArgumentException(
                    "--fraction-bits " + f + ": a " + bits + "-bit word has 0.." + (bits - 1));
        return new FixedPoint(bits, f);
    }

    /**
     * The score of {@code stack} on {@code clips} in fixed point; plans compiled into {@code
     * arena}.
     */
    ClassifierEvaluation.Result evaluate(
            LstmStack stack, LabelledClips clips, int batch, int threads, Arena arena) {
        return FixedPointEvaluation.evaluate(
                FixedPointLstm.of(stack, format(), arena), clips, batch, threads);
    }

    /** What was computed, for the report. */
    String describe() {
        return "in fixed point, "
                + format()
                + ": weights, frames, intermediates, gates, c and h in words; sums exact, rescaled"
                + " rounding half up and saturating; the head in float";
    }
}
