/**
 * fdht's trainer: reverse mode through the contraction plan, BPTT, optimisers, training runs with
 * checkpoints, data sets, evaluation and reports. The Vector API is optional at run time, as in
 * {@code fdht.kernels}; {@code fdht.train.vector} (the vector backward kernels) is loaded
 * reflectively by {@code BackwardProvider} and not exported. XChart and {@code java.desktop} draw
 * the reports' charts.
 */
module fdht.train {
    requires transitive fdht.kernels;
    requires static jdk.incubator.vector;
    requires java.desktop;
    requires org.knowm.xchart;

    exports fdht.train;
    exports fdht.train.data;
    exports fdht.train.eval;
    exports fdht.train.lstm;
    exports fdht.train.optim;
    exports fdht.train.plan;
    exports fdht.train.report;
}
