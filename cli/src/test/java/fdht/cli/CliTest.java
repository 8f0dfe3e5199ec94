package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.io.NpyFile;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** serve's batching options are checked before anything binds, each error naming its option. */
    @Test
    void serveRefusesBadBatchingOptions() {
        String model = "src/main/resources" + MfmDemo.RESOURCE;
        Result r = run("serve", "--model", model, "--steppers", "0", "--port", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--steppers 0: expected at least 1"), r.err());
        r = run("serve", "--model", model, "--max-delay-us", "-5", "--port", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--max-delay-us -5: expected 0 to 1,000,000"), r.err());
    }

    /**
     * The bundled LSTM-UCF model is protocol C's run, byte for byte, in the format the accelerator
     * model times (the seeded model's, {@link DefaultModel#build}), with MFM-40's labels.
     */
    @Test
    void bundledLstmUcfModelIsProtocolCsTrainedRunInTheWorkloadsFormat() throws Exception {
        Path run = Path.of("..", DefaultModel.TRAINED_RUN);
        try (InputStream in = DefaultModel.class.getResourceAsStream(DefaultModel.RESOURCE)) {
            assertArrayEquals(Files.readAllBytes(run), in.readAllBytes(), "copy " + run);
        }
        try (Arena arena = Arena.ofConfined()) {
            Lstm bundled = DefaultModel.load(arena), seeded = DefaultModel.build(arena);
            assertEquals(
                    seeded.htWeights().orElseThrow().format(),
                    bundled.htWeights().orElseThrow().format());
        }
        assertEquals(
                fdht.train.data.MovingFashionMnist.LABELS,
                LstmModelFile.readLabels(
                        Path.of("src/main/resources" + DefaultModel.RESOURCE), 40));
    }

    @Test
    void theBundledTrainedModelNamesItsFortyClasses() {
        assertEquals(
                fdht.train.data.MovingFashionMnist.LABELS,
                LstmModelFile.readLabels(Path.of("src/main/resources" + MfmDemo.RESOURCE), 40));
    }

    @Test
    void inferWritesHiddenStatesAndLogitsAndRejectsBadClips() throws Exception {
        Path model = OutputsCliTest.model(dir, true), clip = OutputsCliTest.clip(dir);
        Path h = dir.resolve("h.npy"), y = dir.resolve("y.npy");
        Result r =
                run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clip.toString(),
                        "--hidden-out",
                        h.toString(),
                        "--logits-out",
                        y.toString(),
                        "--threads",
                        "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*\\nclip 0: [012] \\([01]\\.\\d\\d\\); clip 1: [012] \\([01]\\.\\d\\d\\)\\n"),
                "the clips' classes, numbered (the model names none): " + r.out());
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new long[] {2, 3, 2}, NpyFile.read(h, arena).shape());
            NpyFile.Array logits = NpyFile.read(y, arena);
            assertArrayEquals(new long[] {2, 3}, logits.shape());
            assertTrue(Float.isFinite(logits.data().getAtIndex(ValueLayout.JAVA_FLOAT, 5)));
        }

        NpyFile.write(clip, new long[] {3, 7}, MemorySegment.ofArray(new float[21]));
        Path h2 = dir.resolve("h2.npy");
        r =
                run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clip.toString(),
                        "--hidden-out",
                        h2.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("7 wide") && r.err().contains("N_x = 10"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r.err());
        assertFalse(Files.exists(h2), "nothing written on failure");

        float[] bad = new float[30];
        bad[17] = Float.NaN;
        NpyFile.write(clip, new long[] {3, 10}, MemorySegment.ofArray(bad));
        r =
                run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clip.toString(),
                        "--hidden-out",
                        h2.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("frame 1") && r.err().contains("index 7"), r.err());
    }

    @Test
    void convertAtFullRanksThenInferReproducesTheDenseLstm() throws Exception {
        int input = 10, hidden = 3;
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        float[] wih = new float[4 * hidden * input],
                whh = new float[4 * hidden * hidden],
                bih = new float[4 * hidden],
                bhh = new float[4 * hidden];
        for (float[] a : new float[][] {wih, whh, bih, bhh})
            for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() - 0.5);
        Path torch = dir.resolve("torch.safetensors");
        new fdht.layout.io.SafetensorsWriter()
                .add("weight_ih_l0", new long[] {4 * hidden, input}, wih)
                .add("weight_hh_l0", new long[] {4 * hidden, hidden}, whh)
                .add("bias_ih_l0", new long[] {4 * hidden}, bih)
                .add("bias_hh_l0", new long[] {4 * hidden}, bhh)
                .write(torch);
        Path model = dir.resolve("fdht.safetensors");
        Result c =
                run(
                        "convert",
                        "--from-pytorch",
                        torch.toString(),
                        "--out",
                        model.toString(),
                        "--ranks",
                        "full",
                        "--order",
                        "2");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("relative weight error"), c.out());
        float[] clip = new float[4 * input];
        for (int i = 0; i < clip.length; i++) clip[i] = (float) Math.cos(i);
        Path clipFile = dir.resolve("clip.npy"), hOut = dir.resolve("h.npy");
        NpyFile.write(clipFile, new long[] {4, input}, MemorySegment.ofArray(clip));
        Result inf =
                run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clipFile.toString(),
                        "--hidden-out",
                        hOut.toString());
        assertEquals(0, inf.code(), inf.err());
        Path hDense = dir.resolve("h-dense.npy"); // the dense state dict itself, read as it is
        Result infDense =
                run(
                        "infer",
                        "--model",
                        torch.toString(),
                        "--input",
                        clipFile.toString(),
                        "--hidden-out",
                        hDense.toString());
        assertEquals(0, infDense.code(), infDense.err());
        try (Arena arena = Arena.ofConfined()) {
            Lstm dense =
                    fdht.kernels.lstm.PytorchStateDict.read(torch, null, null, arena)
                            .stack()
                            .layer(0, 0);
            MemorySegment expected = fdht.layout.Weights.floats(arena, 4 * hidden);
            dense.run(
                    fdht.layout.Weights.copyOf(arena, clip),
                    4,
                    dense.newState(1, arena),
                    dense.newWorkspace(1, arena),
                    expected);
            NpyFile.Array got = NpyFile.read(hOut, arena);
            for (int i = 0; i < 4 * hidden; i++) {
                assertEquals(
                        expected.getAtIndex(ValueLayout.JAVA_FLOAT, i),
                        got.data().getAtIndex(ValueLayout.JAVA_FLOAT, i),
                        1e-4,
                        "h at " + i);
            }
            NpyFile.Array gotDense = NpyFile.read(hDense, arena);
            for (int i = 0; i < 4 * hidden; i++) {
                assertEquals(
                        expected.getAtIndex(ValueLayout.JAVA_FLOAT, i),
                        gotDense.data().getAtIndex(ValueLayout.JAVA_FLOAT, i),
                        "dense h at " + i);
            }
        }
        for (String fmt : new String[] {"tt", "ht-input", "tt-input"}) {
            Path file = dir.resolve(fmt + ".safetensors");
            Result t =
                    run(
                            "convert",
                            "--from-pytorch",
                            torch.toString(),
                            "--out",
                            file.toString(),
                            "--format",
                            fmt,
                            "--order",
                            "2",
                            "--ranks",
                            "2");
            assertEquals(0, t.code(), fmt + ": " + t.err());
            String first =
                    run("inspect", "--model", file.toString())
                            .out()
                            .lines()
                            .findFirst()
                            .orElseThrow();
            if (fmt.equals("tt-input"))
                assertTrue(first.contains(": TT-LSTM (TT on W_x, dense W_h): TT "), first);
        }
        Result bad =
                run(
                        "convert",
                        "--from-pytorch",
                        torch.toString(),
                        "--out",
                        dir.resolve("x.safetensors").toString(),
                        "--ranks",
                        "two");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--ranks"), bad.err());
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    /**
     * The tensors of a random nn.LSTM(input, hidden, num_layers=layers, bidirectional=directions ==
     * 2) under {@code prefix}.
     */
    static fdht.layout.io.SafetensorsWriter torchLstm(
            fdht.layout.io.SafetensorsWriter w,
            String prefix,
            int input,
            int hidden,
            int layers,
            int directions,
            long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < directions; d++) {
                String s = l + (d == 1 ? "_reverse" : "");
                int in = l == 0 ? input : directions * hidden;
                float[] wih = new float[4 * hidden * in],
                        whh = new float[4 * hidden * hidden],
                        bih = new float[4 * hidden],
                        bhh = new float[4 * hidden];
                for (float[] a : new float[][] {wih, whh, bih, bhh})
                    for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() - 0.5);
                w.add(prefix + "weight_ih_l" + s, new long[] {4 * hidden, in}, wih)
                        .add(prefix + "weight_hh_l" + s, new long[] {4 * hidden, hidden}, whh)
                        .add(prefix + "bias_ih_l" + s, new long[] {4 * hidden}, bih)
                        .add(prefix + "bias_hh_l" + s, new long[] {4 * hidden}, bhh);
            }
        }
        return w;
    }

    @Test
    void convertFindsPrefixesNamesWhatItIgnoresAndRefusesWhatItCannotConvert() throws Exception {
        Path torch = dir.resolve("torch.safetensors"), model = dir.resolve("m.safetensors");
        torchLstm(new fdht.layout.io.SafetensorsWriter(), "lstm.", 6, 2, 1, 1, 3)
                .add("embedding.weight", new long[] {9, 6}, new float[54])
                .add("classifier.weight", new long[] {3, 2}, new float[6])
                .add("classifier.bias", new long[] {3}, new float[3])
                .write(torch);
        Result c =
                run(
                        "convert",
                        "--from-pytorch",
                        torch.toString(),
                        "--out",
                        model.toString(),
                        "--ranks",
                        "full",
                        "--order",
                        "2");
        assertEquals(0, c.code(), c.err());
        assertTrue(
                c.out().contains("nn.LSTM 'lstm'")
                        && c.out().contains("head 'classifier' of 3 classes"),
                c.out());
        assertTrue(c.out().lines().anyMatch(l -> l.equals("ignored: embedding.weight")), c.out());
        assertTrue(
                c.out().contains("x larger"),
                "a tiny layer at full ranks is larger than dense: " + c.out());
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(3, LstmModelFile.read(model, arena).head().orElseThrow().classes());
        }
        Result i = run("inspect", "--model", model.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("x larger") && !i.out().contains("(0x"), i.out());
        // the path chosen once for the kernels: the tiny model has no row lane layout
        String kernels = KernelProvider.kernels().name();
        assertTrue(
                i.out()
                        .lines()
                        .anyMatch(
                                l ->
                                        l.equals(
                                                "execution path at batch 1: row-major ("
                                                        + kernels
                                                        + " kernels)")),
                i.out());
        // a plan without a lane layout says why: the padding its lane groups would cost
        List<String> none =
                i.out().lines().filter(l -> l.startsWith("lane layout: none (row-major")).toList();
        assertTrue(
                KernelProvider.kernels().lanes() == 1 || !none.isEmpty(),
                "the tiny model has no lane layout: " + i.out());
        assertTrue(
                none.stream()
                        .allMatch(
                                l ->
                                        l.matches(
                                                ".*would do \\d+\\.\\d\\dx its multiply-adds, over the 1\\.5x cap\\)")),
                i.out());

        torchLstm(new fdht.layout.io.SafetensorsWriter(), "", 6, 2, 1, 1, 3)
                .add("weight_hr_l0", new long[] {2, 1}, new float[2])
                .write(torch);
        Path refused = dir.resolve("refused.safetensors");
        Result r =
                run(
                        "convert",
                        "--from-pytorch",
                        torch.toString(),
                        "--out",
                        refused.toString(),
                        "--ranks",
                        "full",
                        "--order",
                        "2");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("'weight_hr_l0'") && r.err().contains("proj_size"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(refused), "nothing written");

        Path pt = dir.resolve("model.pt");
        Files.write(pt, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0});
        r =
                run(
                        "convert",
                        "--from-pytorch",
                        pt.toString(),
                        "--out",
                        dir.resolve("x.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("save_file"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void stackedAndBidirectionalLstmsConvertAndInferAsTheDenseStack() throws Exception {
        int input = 7, hidden = 3, frames = 4, batch = 3;
        for (int[] shape : new int[][] {{2, 1}, {1, 2}, {3, 2}}) {
            int layers = shape[0], directions = shape[1];
            Path torch = dir.resolve("torch.safetensors"), model = dir.resolve("m.safetensors");
            java.util.SplittableRandom rnd =
                    new java.util.SplittableRandom(layers * 10 + directions);
            float[] hw = new float[5 * directions * hidden], hb = new float[5];
            for (int i = 0; i < hw.length; i++) hw[i] = (float) (rnd.nextDouble() - 0.5);
            torchLstm(
                            new fdht.layout.io.SafetensorsWriter(),
                            "lstm.",
                            input,
                            hidden,
                            layers,
                            directions,
                            layers + 7L * directions)
                    .add("fc.weight", new long[] {5, directions * hidden}, hw)
                    .add("fc.bias", new long[] {5}, hb)
                    .write(torch);
            Result c =
                    run(
                            "convert",
                            "--from-pytorch",
                            torch.toString(),
                            "--out",
                            model.toString(),
                            "--ranks",
                            "full",
                            "--order",
                            "2");
            assertEquals(0, c.code(), c.err());
            assertTrue(
                    c.out().contains(layers + " layer")
                            && c.out().contains("head 'fc' of 5 classes"),
                    c.out());
            assertEquals(
                    directions == 2,
                    c.out().contains("note: the head reads output[:, -1]"),
                    "bidirectional: which state the head reads is named: " + c.out());
            float[] clip = new float[batch * frames * input];
            for (int i = 0; i < clip.length; i++) clip[i] = (float) Math.sin(0.7 * i);
            Path clipFile = dir.resolve("clip.npy"),
                    hOut = dir.resolve("h.npy"),
                    yOut = dir.resolve("y.npy");
            NpyFile.write(clipFile, new long[] {batch, frames, input}, MemorySegment.ofArray(clip));
            Result inf =
                    run(
                            "infer",
                            "--model",
                            model.toString(),
                            "--input",
                            clipFile.toString(),
                            "--hidden-out",
                            hOut.toString(),
                            "--logits-out",
                            yOut.toString(),
                            "--threads",
                            "2");
            assertEquals(0, inf.code(), inf.err());
            try (Arena arena = Arena.ofConfined()) {
                fdht.kernels.lstm.LstmStack dense =
                        fdht.kernels.lstm.PytorchStateDict.read(torch, null, null, arena).stack();
                int width = directions * hidden;
                MemorySegment
                        expected = fdht.layout.Weights.floats(arena, (long) batch * frames * width),
                        logits = fdht.layout.Weights.floats(arena, batch * 5L);
                dense.run(
                        fdht.layout.Weights.copyOf(arena, clip),
                        frames,
                        dense.newWorkspace(batch, frames, arena),
                        expected,
                        logits);
                NpyFile.Array got = NpyFile.read(hOut, arena), y = NpyFile.read(yOut, arena);
                assertArrayEquals(new long[] {batch, frames, width}, got.shape());
                for (int i = 0; i < batch * frames * width; i++) {
                    assertEquals(
                            expected.getAtIndex(ValueLayout.JAVA_FLOAT, i),
                            got.data().getAtIndex(ValueLayout.JAVA_FLOAT, i),
                            1e-4,
                            layers + "x" + directions + ": output at " + i);
                }
                for (int i = 0; i < batch * 5; i++) {
                    assertEquals(
                            logits.getAtIndex(ValueLayout.JAVA_FLOAT, i),
                            y.data().getAtIndex(ValueLayout.JAVA_FLOAT, i),
                            1e-4,
                            layers + "x" + directions + ": logit " + i);
                }
            }
            Result i = run("inspect", "--model", model.toString());
            assertEquals(0, i.code(), i.err());
            assertTrue(
                    i.out()
                            .contains(
                                    "layer "
                                            + (layers - 1)
                                            + (directions == 2 ? " reverse" : "")
                                            + ":"),
                    i.out());
            Result sim = run("simulate", "--model", model.toString());
            assertEquals(0, sim.code(), sim.err());
            assertTrue(
                    sim.out().contains("all " + layers * directions + " layers and directions"),
                    sim.out());
        }
    }

    @Test
    void errorsAreOneLineWithStatusTwo() throws Exception {
        Result r = run("inspect", "--model", dir.resolve("nope.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        Files.writeString(dir.resolve("junk.safetensors"), "garbage!garbage!garbage!");
        r = run("inspect", "--model", dir.resolve("junk.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("junk.safetensors"), r.err());
        r = run("infer", "--model", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--input"), r.err());
        r = run("bogus");
        assertEquals(2, r.code());
        r = run("inspect", "--model", dir.resolve("nope.safetensors").toString(), "--verbose");
        assertTrue(r.err().contains("at fdht."), "--verbose adds the stack trace");
        assertEquals(0, run("--help").code());
        assertEquals(0, run("infer", "--help").code());
    }

    /**
     * The numbers of a report line that starts with {@code label} (thousands separators dropped).
     */
    private static double[] numbers(String line, String label) {
        return java.util.regex.Pattern.compile("[0-9][0-9,]*(\\.[0-9]+)?")
                .matcher(line.substring(label.length()))
                .results()
                .mapToDouble(m -> Double.parseDouble(m.group().replace(",", "")))
                .toArray();
    }

    @Test
    void simulateOfAStackSumsWhatItPrintsForEachLayer() throws Exception {
        Path model = dir.resolve("stack.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Lstm[][] layers = new Lstm[2][2];
            for (int d = 0; d < 2; d++) {
                layers[0][d] =
                        Lstm.fdht(
                                HtMatrix.random(
                                        HtFormat.uniform(new int[] {4, 4}, new int[] {6, 6}, 3),
                                        1 + d,
                                        arena),
                                30,
                                new float[16],
                                arena);
                layers[1][d] =
                        Lstm.fdht(
                                HtMatrix.random(
                                        HtFormat.uniform(new int[] {4, 4}, new int[] {3, 4}, 2),
                                        3 + d,
                                        arena),
                                8,
                                new float[16],
                                arena);
            }
            LstmModelFile.write(fdht.kernels.lstm.LstmStack.of(layers, null), model);
        }
        Result r = run("simulate", "--model", model.toString());
        assertEquals(0, r.code(), r.err());
        java.util.List<String> lines = r.out().lines().toList();
        int total = -1;
        for (int i = 0; i < lines.size(); i++)
            if (lines.get(i).startsWith("all 4 layers and directions, per frame")) total = i;
        assertTrue(total > 0, r.out());
        // per layer: FDHT and TIE columns of MACs, cycles, frames/s (summed as frame times) and
        // energy
        String[] labels = {"MACs", "cycles", "frames/s", "energy/frame (nJ)"};
        double[][] sum = new double[labels.length][2];
        int tables = 0;
        for (String line : lines.subList(0, total)) {
            for (int k = 0; k < labels.length; k++) {
                if (!line.startsWith(labels[k] + " ")) continue;
                double[] v = numbers(line, labels[k]);
                for (int c = 0; c < 2; c++) sum[k][c] += k == 2 ? 1 / v[c] : v[c];
                if (k == 0) tables++;
            }
        }
        assertEquals(4, tables, "one table per layer and direction: " + r.out());
        for (String line : lines.subList(total + 1, lines.size())) {
            for (int k = 0; k < labels.length; k++) {
                if (!line.startsWith(labels[k] + " ")) continue;
                double[] v = numbers(line, labels[k]);
                for (int c = 0; c < 2; c++) {
                    double expected = k == 2 ? 1 / sum[k][c] : sum[k][c];
                    // every figure is printed rounded (to 1, energy to 0.1 nJ): the sum of 4
                    // carries 4 roundings, the total its own;
                    // frames/s of ~10^5 and more rounded to 1 is off by under 1e-5 relative
                    double slack =
                            switch (k) {
                                case 2 -> 1e-4 * expected + 0.5;
                                case 3 -> 5 * 0.05;
                                default -> 5 * 0.5;
                            };
                    assertEquals(
                            expected,
                            v[c],
                            slack,
                            labels[k] + (c == 0 ? " FDHT" : " TIE") + " in\n" + r.out());
                }
            }
        }
    }

    @Test
    void simulateComparesThePublishedModelsAndTimesTheDemoModelsOwnPlan() throws Exception {
        Result ucf = run("simulate", "--workload", "lstm-ucf");
        assertEquals(0, ucf.code(), ucf.err());
        assertTrue(
                ucf.out().contains("on-chip figures")
                        && ucf.out().contains("1.90x")
                        && ucf.out().contains("dense W_h"),
                ucf.out());
        Path model = dir.resolve("demo.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            LstmModelFile.write(DefaultModel.build(arena), model);
        }
        Result own = run("simulate", "--model", model.toString());
        assertEquals(0, own.code(), own.err());
        assertFalse(own.out().contains("1.90x"), "no paper ratios for a user model");
        assertTrue(
                own.out().contains("for its LSTM-UCF and LSTM-Youtube workloads only"), own.out());
        // the demo model is built from the workload's format: simulate times the plan the CPU runs
        String macs =
                ucf.out()
                        .lines()
                        .filter(l -> l.startsWith("MACs"))
                        .findFirst()
                        .orElseThrow()
                        .substring(0, 47);
        assertTrue(own.out().lines().anyMatch(l -> l.startsWith(macs)), macs + " in\n" + own.out());
        Result same =
                run(
                        "simulate",
                        "--workload",
                        "lstm-youtube",
                        "--variant",
                        "same-format",
                        "--dram",
                        "--sensitivity",
                        dir.toString());
        assertEquals(0, same.code(), same.err());
        assertTrue(
                same.out().contains("DRAM COUNTED")
                        && same.out().contains("TT [x;h]")
                        && same.out().contains("2.50x"),
                same.out());
        assertTrue(Files.size(dir.resolve("sensitivity-lstm-youtube.png")) > 10_000);
        byte[] png = Files.readAllBytes(dir.resolve("sensitivity-lstm-youtube.png"));
        assertArrayEquals(
                new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4), "a PNG");
        try (var files = Files.list(dir)) {
            assertTrue(
                    files.noneMatch(f -> f.getFileName().toString().startsWith(".")),
                    "no temporary file left beside it");
        }
        Path sweep = dir.resolve("sweep");
        Result swept = run("simulate", "--workload", "lstm-ucf", "--sweep", sweep.toString());
        assertEquals(0, swept.code(), swept.err());
        assertArrayEquals(
                new byte[] {(byte) 0x89, 'P', 'N', 'G'},
                java.util.Arrays.copyOf(Files.readAllBytes(sweep.resolve("sweep.png")), 4),
                "sweep.png is a PNG");
        assertEquals(
                26,
                Files.readAllLines(sweep.resolve("sweep.csv")).size(),
                "a header and 5 x 5 points");
        assertTrue(
                Files.readString(dir.resolve("sensitivity-lstm-youtube.csv"))
                        .contains("TIE,dense_weight_words_per_cycle,fitted"));
        // a trained TT over [x;h] for TIE, beside the FDHT model: compared at equal accuracy
        Path tt = dir.resolve("tt.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            fdht.layout.TtFormat f =
                    fdht.layout.TtFormat.uniform(
                            new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 2);
            LstmModelFile.write(
                    Lstm.tt(
                            fdht.layout.TtMatrix.random(f, 3, arena),
                            57_600,
                            new float[1024],
                            arena),
                    tt);
        }
        Result pair = run("simulate", "--model", model.toString(), "--tie-model", tt.toString());
        assertEquals(0, pair.code(), pair.err());
        assertTrue(
                pair.out().contains("TIE (same-format): TT over [x;h]")
                        && pair.out().contains("bond rank 2"),
                pair.out());
        Result lone = run("simulate", "--tie-model", tt.toString());
        assertEquals(2, lone.code());
        assertTrue(lone.err().contains("--tie-model needs --model"), lone.err());
        Result bad = run("simulate", "--variant", "diagonal");
        assertEquals(2, bad.code());
        assertTrue(
                bad.err().contains("diagonal") && bad.err().strip().lines().count() == 1,
                bad.err());
    }
}
