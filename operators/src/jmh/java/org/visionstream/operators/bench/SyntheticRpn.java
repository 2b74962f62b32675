package org.visionstream.operators.bench;

import java.util.Random;
import org.visionstream.operators.postprocess.AnchorGenerator;
import org.visionstream.operators.postprocess.AnchorStyle;
import org.visionstream.operators.postprocess.BoxCoder;
import org.visionstream.operators.postprocess.ProposalSelector;

/**
 * A seeded stand-in for one image's RPN output on a D2Go-like single stride-16 map with 15 anchors per cell.
 * Random logits alone would make NMS unrealistically cheap (few overlaps among high scores), so logits are
 * raised on anchors that overlap a few random "objects", clustering the high scores the way a trained RPN does.
 */
final class SyntheticRpn {

    static final int STRIDE = 16;
    static final BoxCoder RPN_CODER =
            new BoxCoder(new float[] {1, 1, 1, 1}, BoxCoder.Mode.DIVIDE, (float) Math.log(1000.0 / 16));

    private static final AnchorGenerator ANCHORS = new AnchorGenerator(AnchorStyle.DETECTRON2, STRIDE,
            new float[] {32, 64, 128, 256, 512}, new float[] {0.5f, 1f, 2f}, 0f);
    private static final int OBJECTS = 12;

    final int featH;
    final int featW;
    final int imageH;
    final int imageW;
    final float[] anchors;
    /** {@code [A, h, w]}, as the ONNX graph returns it. */
    final float[] objectness;
    /** {@code [4A, h, w]}. */
    final float[] deltas;

    /** {@code featureMap} is {@code "HxW"}, e.g. {@code "38x50"}. */
    SyntheticRpn(String featureMap, Random rnd) {
        String[] hw = featureMap.split("x");
        featH = Integer.parseInt(hw[0]);
        featW = Integer.parseInt(hw[1]);
        imageH = featH * STRIDE;
        imageW = featW * STRIDE;
        anchors = ANCHORS.anchors(featH, featW);
        int plane = featH * featW;
        int perCell = ANCHORS.anchorsPerLocation();
        float[] objects = randomBoxes(rnd, OBJECTS, imageW, imageH);
        objectness = new float[perCell * plane];
        deltas = new float[4 * perCell * plane];
        for (int n = 0; n < perCell * plane; n++) {
            int a = n % perCell;
            int p = n / perCell;
            float best = 0f;
            for (int o = 0; o < OBJECTS; o++) {
                best = Math.max(best, iou(anchors, n, objects, o));
            }
            objectness[a * plane + p] = (float) (rnd.nextGaussian() * 1.5 - 4 + 10 * best);
            for (int k = 0; k < 4; k++) {
                double sd = k < 2 ? 0.1 : 0.2;
                deltas[(4 * a + k) * plane + p] = (float) (rnd.nextGaussian() * sd);
            }
        }
    }

    int anchorCount() {
        return anchors.length / 4;
    }

    /** Every anchor decoded and clipped, in flat index order: what an NMS over all anchors would see. */
    float[] decodedBoxes() {
        int plane = featH * featW;
        int perCell = ANCHORS.anchorsPerLocation();
        float[] out = new float[anchors.length];
        float[] one = new float[4];
        for (int n = 0; n < anchorCount(); n++) {
            int a = n % perCell;
            RPN_CODER.decode(anchors, 4 * n, deltas, 4 * a * plane + n / perCell, plane, one, 0);
            for (int k = 0; k < 4; k++) {
                float bound = k % 2 == 0 ? imageW : imageH;
                out[4 * n + k] = Math.min(Math.max(one[k], 0f), bound);
            }
        }
        return out;
    }

    /** Sigmoid objectness per anchor, in flat index order. */
    float[] scores() {
        int plane = featH * featW;
        int perCell = ANCHORS.anchorsPerLocation();
        float[] out = new float[anchorCount()];
        for (int n = 0; n < out.length; n++) {
            out[n] = (float) (1 / (1 + Math.exp(-objectness[(n % perCell) * plane + n / perCell])));
        }
        return out;
    }

    /** Object-like boxes: sides 5 to 50 % of the image's, inside it. */
    private static float[] randomBoxes(Random rnd, int count, int imageW, int imageH) {
        float[] out = new float[4 * count];
        for (int i = 0; i < count; i++) {
            float w = imageW * (0.05f + 0.45f * rnd.nextFloat());
            float h = imageH * (0.05f + 0.45f * rnd.nextFloat());
            float x = (imageW - w) * rnd.nextFloat();
            float y = (imageH - h) * rnd.nextFloat();
            out[4 * i] = x;
            out[4 * i + 1] = y;
            out[4 * i + 2] = x + w;
            out[4 * i + 3] = y + h;
        }
        return out;
    }

    private static float iou(float[] a, int i, float[] b, int j) {
        float w = Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]);
        float h = Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]);
        if (w <= 0 || h <= 0) {
            return 0f;
        }
        float areaA = (a[4 * i + 2] - a[4 * i]) * (a[4 * i + 3] - a[4 * i + 1]);
        float areaB = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
        return w * h / (areaA + areaB - w * h);
    }

    /** Runs {@code selector} on this sample; returns the proposal count. */
    int select(ProposalSelector selector, float[] proposalsOut) {
        return selector.select(objectness, 0, deltas, 0, featH, featW, anchors, imageH, imageW, proposalsOut);
    }
}
