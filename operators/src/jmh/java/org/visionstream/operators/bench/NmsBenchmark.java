package org.visionstream.operators.bench;

import java.util.Arrays;
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
import org.visionstream.operators.postprocess.Nms;

/**
 * Greedy class-agnostic NMS at the RPN threshold 0.7. 28,500 boxes are every anchor of a 38 x 50 map (600 x 800
 * input) decoded; 6,000 are the best-scoring of them, the usual pre-NMS top-k. {@code maxOut} is the post-NMS
 * count (gluon-cv 300, detectron2 / torchvision 1000): NMS stops once that many are kept.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NmsBenchmark {

    @Param({"6000", "28500"})
    int boxes;

    @Param({"300", "1000"})
    int maxOut;

    private float[] candidateBoxes;
    private float[] candidateScores;
    private int[] keep;

    @Setup
    public void setup() {
        SyntheticRpn rpn = new SyntheticRpn("38x50", new Random(42));
        float[] allBoxes = rpn.decodedBoxes();
        float[] allScores = rpn.scores();
        // The top `boxes` by score, back in anchor order so that NMS has to sort them itself.
        int[] chosen = Arrays.copyOf(Nms.sortedByScore(allScores, allScores.length), boxes);
        Arrays.sort(chosen);
        candidateBoxes = new float[4 * boxes];
        candidateScores = new float[boxes];
        for (int i = 0; i < boxes; i++) {
            System.arraycopy(allBoxes, 4 * chosen[i], candidateBoxes, 4 * i, 4);
            candidateScores[i] = allScores[chosen[i]];
        }
        keep = new int[maxOut];
    }

    @Benchmark
    public void nms(Blackhole bh) {
        bh.consume(Nms.nms(candidateBoxes, candidateScores, boxes, 0.7f, maxOut, keep));
        bh.consume(keep);
    }
}
