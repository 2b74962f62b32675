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
import org.visionstream.operators.postprocess.BoxCoder;
import org.visionstream.operators.postprocess.DetectionDecoder;
import org.visionstream.operators.postprocess.DetectionOptions;
import org.visionstream.operators.postprocess.ProposalSelector;

/**
 * The Java post-processing of one frame: proposal selection (pre-NMS 6000, 300 proposals), then the detection
 * decoder for a COCO head of 81 score columns (80 classes, background last, class-specific deltas) with
 * detectron2's defaults: score 0.05, per-class NMS 0.5, 100 detections. {@code decode} alone shows the head's share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PostprocessBenchmark {

    private static final int CLASSES = 80;
    private static final int PROPOSALS = 300;

    @Param({"20x25", "38x50"})
    String featureMap;

    private SyntheticRpn rpn;
    private ProposalSelector selector;
    private DetectionDecoder decoder;
    private float[] proposals;
    private int proposalCount;
    private float[] headLogits;
    private float[] headDeltas;

    @Setup
    public void setup() {
        Random rnd = new Random(42);
        rpn = new SyntheticRpn(featureMap, rnd);
        selector = new ProposalSelector(ProposalSelectionBenchmark.d2goRpn(6000, PROPOSALS));
        decoder = new DetectionDecoder(DetectionOptions.builder()
                .numClasses(CLASSES)
                .backgroundIndex(CLASSES)
                .scoreActivation(DetectionOptions.ScoreActivation.SOFTMAX)
                .classSpecificBoxes(true)
                .deltasHaveBackgroundSlot(false)
                .boxCoder(new BoxCoder(new float[] {10, 10, 5, 5}, BoxCoder.Mode.DIVIDE, (float) Math.log(1000.0 / 16)))
                .clipBoxes(true)
                .scoreThreshold(0.05f)
                .nmsThreshold(0.5f)
                .detectionsPerImage(100)
                .minBoxSize(0f)
                .build());
        proposals = new float[4 * PROPOSALS];
        proposalCount = rpn.select(selector, proposals);
        headLogits = new float[PROPOSALS * (CLASSES + 1)];
        headDeltas = new float[PROPOSALS * CLASSES * 4];
        for (int r = 0; r < PROPOSALS; r++) {
            // Mostly background; one proposal in four is confident (about 0.7) in one class. With the 80-way
            // noise, about 170 (proposal, class) pairs pass 0.05, and more than 100 survive NMS: the cap bites.
            for (int k = 0; k < CLASSES; k++) {
                headLogits[r * (CLASSES + 1) + k] = (float) (rnd.nextGaussian() - 2);
            }
            headLogits[r * (CLASSES + 1) + CLASSES] = (float) (rnd.nextGaussian() + 3);
            if (rnd.nextInt(4) == 0) {
                headLogits[r * (CLASSES + 1) + rnd.nextInt(CLASSES)] += 6f;
            }
        }
        for (int i = 0; i < headDeltas.length; i++) {
            headDeltas[i] = (float) rnd.nextGaussian();
        }
    }

    @Benchmark
    public void selectAndDecode(Blackhole bh) {
        int count = rpn.select(selector, proposals);
        bh.consume(decoder.decode(headLogits, 0, headDeltas, 0, proposals, count, rpn.imageH, rpn.imageW));
    }

    @Benchmark
    public void decode(Blackhole bh) {
        bh.consume(decoder.decode(headLogits, 0, headDeltas, 0, proposals, proposalCount, rpn.imageH, rpn.imageW));
    }
}
