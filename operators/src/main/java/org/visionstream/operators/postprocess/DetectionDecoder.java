package org.visionstream.operators.postprocess;

import org.visionstream.operators.postprocess.DetectionOptions.ScoreActivation;

/**
 * Head outputs to final detections, in the order of detectron2's {@code fast_rcnn_inference}: class
 * probabilities, per-class box decoding against the proposal, clipping, a strict score threshold over
 * (proposal, class) pairs in row-major order, per-class NMS, and the top {@code detectionsPerImage}.
 * Not thread-safe (scratch buffers).
 */
public final class DetectionDecoder {

    private final DetectionOptions o;
    private final int columns;
    private final Nms nms = new Nms();
    private float[] probs = new float[0];
    private float[] boxes = new float[0];
    private float[] scores = new float[0];
    private int[] classes = new int[0];
    private int[] keep = new int[0];

    public DetectionDecoder(DetectionOptions options) {
        this.o = options;
        this.columns = options.scoreColumns();
    }

    /**
     * @param logits the head's scores; this image's {@code [R, K]} rows start at {@code logitsOffset}
     * @param deltas the head's deltas; this image's {@code [R, 4 * Kb]} rows start at {@code deltasOffset}
     * @param proposals {@code 4 * numProposals} floats, the boxes the head saw
     */
    public DecodedBoxes decode(float[] logits, int logitsOffset, float[] deltas, int deltasOffset, float[] proposals,
            int numProposals, int imageH, int imageW) {
        int c = o.numClasses();
        int deltaClasses = o.boxSlots();
        ensureCapacity(numProposals * c);
        int candidates = 0;
        for (int r = 0; r < numProposals; r++) {
            activate(logits, logitsOffset + r * columns);
            for (int k = 0; k < c; k++) {
                int column = o.scoreActivation() == ScoreActivation.SOFTMAX && k >= o.backgroundIndex() ? k + 1 : k;
                float score = probs[column];
                if (!(score > o.scoreThreshold())) {
                    continue;
                }
                int slot = !o.classSpecificBoxes() ? 0 : o.deltasHaveBackgroundSlot() ? column : k;
                int d = deltasOffset + (r * deltaClasses + slot) * 4;
                o.boxCoder().decode(proposals, 4 * r, deltas, d, 1, boxes, 4 * candidates);
                if (o.clipBoxes()) {
                    ProposalSelector.clip(boxes, 4 * candidates, imageW, imageH);
                }
                if (!finiteAndLargeEnough(4 * candidates)) {
                    continue;
                }
                scores[candidates] = score;
                classes[candidates] = k;
                candidates++;
            }
        }
        int max = o.detectionsPerImage() > 0 ? o.detectionsPerImage() : candidates;
        int kept = nms.select(boxes, scores, classes, candidates, o.nmsThreshold(), max, keep);
        float[] outBoxes = new float[4 * kept];
        float[] outScores = new float[kept];
        int[] outClasses = new int[kept];
        for (int i = 0; i < kept; i++) {
            System.arraycopy(boxes, 4 * keep[i], outBoxes, 4 * i, 4);
            outScores[i] = scores[keep[i]];
            outClasses[i] = classes[keep[i]];
        }
        return new DecodedBoxes(kept, outBoxes, outScores, outClasses);
    }

    /**
     * Class probabilities of one row into {@code probs}: max-shifted softmax, or sigmoid. The softmax is
     * MXNet's for float32 (gluon-cv, spec A.9): float exps summed in double and divided in double. A float
     * sum rounds 1 + 4e-8 to 1 and so gives 1.0f where MXNet gives 0.99999994f, turning near-certain
     * detections into exact ties that NMS then orders by index instead of by score.
     */
    private void activate(float[] logits, int row) {
        if (o.scoreActivation() == ScoreActivation.SIGMOID) {
            for (int k = 0; k < columns; k++) {
                probs[k] = (float) (1.0 / (1.0 + Math.exp(-logits[row + k])));
            }
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < columns; k++) {
            max = Math.max(max, logits[row + k]);
        }
        double sum = 0;
        for (int k = 0; k < columns; k++) {
            float e = (float) Math.exp(logits[row + k] - max);
            probs[k] = e;
            sum += e;
        }
        for (int k = 0; k < columns; k++) {
            probs[k] = (float) (probs[k] / sum);
        }
    }

    private boolean finiteAndLargeEnough(int i) {
        float w = boxes[i + 2] - boxes[i];
        float h = boxes[i + 3] - boxes[i + 1];
        if (!(Float.isFinite(boxes[i]) && Float.isFinite(boxes[i + 1]) && Float.isFinite(w) && Float.isFinite(h))) {
            return false;
        }
        return o.minBoxSize() <= 0f || (w >= o.minBoxSize() && h >= o.minBoxSize());
    }

    private void ensureCapacity(int pairs) {
        if (probs.length < columns) {
            probs = new float[columns];
        }
        if (scores.length < pairs) {
            boxes = new float[4 * pairs];
            scores = new float[pairs];
            classes = new int[pairs];
            keep = new int[pairs];
        }
    }
}
