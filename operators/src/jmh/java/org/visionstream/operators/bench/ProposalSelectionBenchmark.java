package org.visionstream.operators.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.visionstream.operators.postprocess.ProposalOptions;
import org.visionstream.operators.postprocess.ProposalSelector;

/**
 * {@link ProposalSelector} on a D2Go-sized RPN output (15 anchors per cell): 20 x 25 is a 320 x 400 input,
 * 38 x 50 a 600 x 800 one. Options as D2Go's manifest: top-k on logits first, detectron2's size rule, NMS 0.7.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ProposalSelectionBenchmark {

    @Param({"20x25", "38x50"})
    String featureMap;

    @Param({"1000", "6000"})
    int preNmsTopK;

    @Param({"30", "300"})
    int postNmsTopK;

    private SyntheticRpn rpn;
    private ProposalSelector selector;
    private float[] proposals;

    @Setup
    public void setup() {
        rpn = new SyntheticRpn(featureMap, new Random(42));
        selector = new ProposalSelector(d2goRpn(preNmsTopK, postNmsTopK));
        proposals = new float[4 * postNmsTopK];
    }

    /** The RPN options convert_d2go.py writes, with the given top-k values. */
    static ProposalOptions d2goRpn(int preNmsTopK, int postNmsTopK) {
        return ProposalOptions.builder()
                .preNmsTopK(preNmsTopK)
                .postNmsTopK(postNmsTopK)
                .nmsThreshold(0.7f)
                .minSize(0f)
                .minSizeRule(ProposalOptions.MinSizeRule.GREATER)
                .selection(ProposalOptions.Selection.TOPK_THEN_FILTER)
                .boxCoder(SyntheticRpn.D2GO_CODER)
                .build();
    }

    @Benchmark
    public void select(Blackhole bh) {
        bh.consume(rpn.select(selector, proposals));
        bh.consume(proposals);
    }
}
