package org.visionstream.operators.postprocess;

import org.visionstream.operators.postprocess.ProposalOptions.MinSizeRule;
import org.visionstream.operators.postprocess.ProposalOptions.Selection;

/**
 * Turns one image's RPN outputs into proposals: rank anchors by objectness, decode the best, clip to
 * the image, drop small and low-scoring boxes, NMS, keep the top {@code postNmsTopK}. Reads the ONNX
 * outputs in their NCHW layout without transposing them. Not thread-safe (scratch buffers).
 *
 * <p>{@code TOPK_THEN_FILTER} ranks the logits (detectron2, torchvision take their top-k of those).
 * {@code FILTER_THEN_TOPK} is MXNet's box_nms (gluon-cv, spec A.6, A.12): it ranks the float32 sigmoid
 * scores, so logits that round to the same score (every logit above about 17 gives 1.0f) tie and keep
 * anchor order, and only scores above 0 are valid.
 */
public final class ProposalSelector {

    private final ProposalOptions o;
    private final ScoreRanking ranking = new ScoreRanking();
    private final GreedySuppressor suppressor = new GreedySuppressor();
    private final float[] box = new float[4];
    /** Ranking keys per anchor: the logits, or their float32 sigmoid for {@code FILTER_THEN_TOPK}. */
    private float[] logits = new float[0];

    public ProposalSelector(ProposalOptions options) {
        this.o = options;
    }

    /**
     * @param objectness the RPN logits; this image's {@code [A, h, w]} block starts at {@code objOffset}
     * @param deltas the RPN deltas; this image's {@code [4A, h, w]} block starts at {@code deltaOffset}
     * @param anchors {@link AnchorGenerator#anchors(int, int)} for this feature size
     * @param imageH the resized image's height, unpadded (clip bound)
     * @param proposalsOut receives {@code postNmsTopK * 4} floats at most
     * @return the number of proposals written
     */
    public int select(float[] objectness, int objOffset, float[] deltas, int deltaOffset, int featH, int featW,
            float[] anchors, int imageH, int imageW, float[] proposalsOut) {
        int plane = featH * featW;
        int total = anchors.length / 4;
        int perCell = total / plane;
        ensureCapacity(total);
        boolean countValidOnly = o.selection() == Selection.FILTER_THEN_TOPK;
        for (int a = 0; a < perCell; a++) {
            for (int p = 0; p < plane; p++) {
                float v = objectness[objOffset + a * plane + p];
                // A NaN logit ranks last and is dropped below with the other non-finite scores.
                logits[p * perCell + a] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : countValidOnly ? sigmoid(v) : v;
            }
        }
        ranking.rank(logits, total);
        float minKey = countValidOnly
                ? (Float.isNaN(o.scoreThreshold()) ? Float.MIN_VALUE : o.scoreThreshold()) // box_nms: score > 0
                : (Float.isNaN(o.scoreThreshold()) ? Float.NEGATIVE_INFINITY : logit(o.scoreThreshold()));
        // Candidates are decoded and offered to NMS in rank order, so only those reached before the NMS keeps
        // postNmsTopK are decoded: the same proposals as decoding all preNmsTopK first.
        suppressor.reset(o.nmsThreshold());
        for (int rank = 0, considered = 0;
                rank < total && considered < o.preNmsTopK() && suppressor.count() < o.postNmsTopK(); rank++) {
            int n = ranking.get(rank);
            if (!countValidOnly) {
                considered++;
            }
            int cell = n / perCell;
            int a = n - cell * perCell;
            int d = deltaOffset + 4 * a * plane + cell;
            o.boxCoder().decode(anchors, 4 * n, deltas, d, plane, box, 0);
            clip(box, 0, imageW, imageH);
            float score = logits[n];
            if (!valid(box, 0) || !(score >= minKey) || !Float.isFinite(score)) {
                continue;
            }
            if (countValidOnly) {
                considered++;
            }
            if (suppressor.offer(box, 0)) {
                System.arraycopy(box, 0, proposalsOut, 4 * (suppressor.count() - 1), 4);
            }
        }
        int kept = suppressor.count();
        if (!o.padProposals()) {
            return kept;
        }
        java.util.Arrays.fill(proposalsOut, 4 * kept, 4 * o.postNmsTopK(), -1f);
        return o.postNmsTopK();
    }

    private boolean valid(float[] b, int i) {
        float w = b[i + 2] - b[i];
        float h = b[i + 3] - b[i + 1];
        if (!(Float.isFinite(w) && Float.isFinite(h) && Float.isFinite(b[i]) && Float.isFinite(b[i + 1]))) {
            return false;
        }
        float min = o.minSize();
        MinSizeRule rule = o.minSizeRule();
        return switch (rule) {
            case GREATER -> w > min && h > min;
            case GREATER_OR_EQUAL -> w >= min && h >= min;
            case PLUS_ONE_GREATER_OR_EQUAL -> w + 1f >= min && h + 1f >= min;
        };
    }

    static void clip(float[] b, int i, int width, int height) {
        b[i] = Math.min(Math.max(b[i], 0f), width);
        b[i + 1] = Math.min(Math.max(b[i + 1], 0f), height);
        b[i + 2] = Math.min(Math.max(b[i + 2], 0f), width);
        b[i + 3] = Math.min(Math.max(b[i + 3], 0f), height);
    }

    /** MXNet's float32 sigmoid, {@code 1 / (1 + expf(-x))}; {@code (float) Math.exp} rounds as glibc's expf. */
    static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    /** The logit whose sigmoid is {@code p}: comparing logits avoids a sigmoid per anchor. */
    private static float logit(float p) {
        return (float) Math.log(p / (1.0 - p));
    }

    private void ensureCapacity(int total) {
        if (logits.length < total) {
            logits = new float[total];
        }
    }
}
