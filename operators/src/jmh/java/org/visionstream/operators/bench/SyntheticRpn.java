package org.visionstream.operators.bench;

import java.util.Random;
import org.visionstream.operators.postprocess.AnchorGenerator;
import org.visionstream.operators.postprocess.AnchorOptions;
import org.visionstream.operators.postprocess.AnchorStyle;
import org.visionstream.operators.postprocess.BoxCoder;
import org.visionstream.operators.postprocess.ProposalSelector;

/**
 * A seeded stand-in for one image's RPN output on a single stride-16 map with 15 anchors per cell.
 * Random logits alone would make NMS unrealistically cheap (few overlaps among high scores), so logits are
 * raised on anchors that overlap random "objects", clustering the high scores the way a trained RPN does.
 */
final class SyntheticRpn {

    static final int STRIDE = 16;
    private static final float[] SIZES = {32, 64, 128, 256, 512};
    private static final float[] RATIOS = {0.5f, 1f, 2f};

    /** D2Go's anchors and RPN coder (detectron2 conventions). */
    static final AnchorGenerator D2GO_ANCHORS = new AnchorGenerator(
            new AnchorOptions(AnchorStyle.DETECTRON2, STRIDE, SIZES, RATIOS, 0f));
    static final BoxCoder D2GO_CODER =
            new BoxCoder(new float[] {1, 1, 1, 1}, BoxCoder.Mode.DIVIDE, (float) Math.log(1000.0 / 16));
    /** gluon-cv's anchors and RPN coder (spec A.4, A.6: stds 1, no clamp). */
    static final AnchorGenerator GLUONCV_ANCHORS = new AnchorGenerator(
            new AnchorOptions(AnchorStyle.GLUONCV, STRIDE, SIZES, RATIOS, 0f));
    static final BoxCoder GLUONCV_CODER = new BoxCoder(new float[] {1, 1, 1, 1}, BoxCoder.Mode.MULTIPLY, Float.NaN);

    /** How many objects, how large, and how many classes they are drawn from. */
    enum Scene {
        /** A dozen objects, sides 5 to 50 % of the image's, deltas noise: the usual photo. */
        CLUSTERED(12, 0.05f, 0.45f, false),
        /**
         * Sixty smaller objects (a crowd), and deltas that move each anchor onto its object as a trained RPN
         * does: the best boxes are many near copies, so NMS suppresses most of what it reads.
         */
        CROWDED(60, 0.04f, 0.16f, true);

        final int objects;
        final float minSide;
        final float sideRange;
        final boolean regress;

        Scene(int objects, float minSide, float sideRange, boolean regress) {
            this.objects = objects;
            this.minSide = minSide;
            this.sideRange = sideRange;
            this.regress = regress;
        }
    }

    final int featH;
    final int featW;
    final int imageH;
    final int imageW;
    final float[] anchors;
    /** {@code [A, h, w]}, as the ONNX graph returns it. */
    final float[] objectness;
    /** {@code [4A, h, w]}. */
    final float[] deltas;
    /** The scene's objects, {@code x1, y1, x2, y2} each. */
    final float[] objects;
    private final int perCell;
    private final BoxCoder coder;

    /** D2Go's anchors and coder on a clustered scene; {@code featureMap} is {@code "HxW"}, e.g. {@code "38x50"}. */
    SyntheticRpn(String featureMap, Random rnd) {
        this(featureMap, D2GO_ANCHORS, D2GO_CODER, Scene.CLUSTERED, rnd);
    }

    SyntheticRpn(String featureMap, AnchorGenerator generator, BoxCoder coder, Scene scene, Random rnd) {
        String[] hw = featureMap.split("x");
        featH = Integer.parseInt(hw[0]);
        featW = Integer.parseInt(hw[1]);
        imageH = featH * STRIDE;
        imageW = featW * STRIDE;
        this.coder = coder;
        anchors = generator.anchors(featH, featW);
        perCell = generator.anchorsPerLocation();
        int plane = featH * featW;
        objects = randomBoxes(rnd, scene, imageW, imageH);
        objectness = new float[perCell * plane];
        deltas = new float[4 * perCell * plane];
        float[] iou = new float[1];
        for (int n = 0; n < perCell * plane; n++) {
            int a = n % perCell;
            int p = n / perCell;
            int o = bestObject(anchors, n, iou);
            objectness[a * plane + p] = (float) (rnd.nextGaussian() * 1.5 - 4 + 10 * iou[0]);
            boolean onObject = scene.regress && iou[0] > 0.3f;
            float[] target = onObject ? toObject(anchors, n, o) : new float[4];
            // A regressed anchor lands within a few percent of its object: near copies of each other.
            double spread = onObject ? 0.2 : 1;
            for (int k = 0; k < 4; k++) {
                double sd = (k < 2 ? 0.1 : 0.2) * spread;
                deltas[(4 * a + k) * plane + p] = (float) (target[k] + rnd.nextGaussian() * sd);
            }
        }
    }

    int anchorCount() {
        return anchors.length / 4;
    }

    /** Every anchor decoded and clipped, in flat index order: what an NMS over all anchors would see. */
    float[] decodedBoxes() {
        int plane = featH * featW;
        float[] out = new float[anchors.length];
        float[] one = new float[4];
        for (int n = 0; n < anchorCount(); n++) {
            int a = n % perCell;
            coder.decode(anchors, 4 * n, deltas, 4 * a * plane + n / perCell, plane, one, 0);
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
        float[] out = new float[anchorCount()];
        for (int n = 0; n < out.length; n++) {
            out[n] = (float) (1 / (1 + Math.exp(-objectness[(n % perCell) * plane + n / perCell])));
        }
        return out;
    }

    /** Index of the object that box {@code i} of {@code boxes} overlaps most, and that IoU, in {@code iouOut[0]}. */
    int bestObject(float[] boxes, int i, float[] iouOut) {
        int best = -1;
        float bestIou = 0f;
        for (int o = 0; o < objects.length / 4; o++) {
            float iou = iou(boxes, i, objects, o);
            if (iou > bestIou) {
                bestIou = iou;
                best = o;
            }
        }
        iouOut[0] = bestIou;
        return best;
    }

    /** The deltas that decode anchor {@code n} onto object {@code o} with unit weights (both coders here). */
    private float[] toObject(float[] anchors, int n, int o) {
        float aw = anchors[4 * n + 2] - anchors[4 * n];
        float ah = anchors[4 * n + 3] - anchors[4 * n + 1];
        float ow = objects[4 * o + 2] - objects[4 * o];
        float oh = objects[4 * o + 3] - objects[4 * o + 1];
        return new float[] {
            (objects[4 * o] + 0.5f * ow - anchors[4 * n] - 0.5f * aw) / aw,
            (objects[4 * o + 1] + 0.5f * oh - anchors[4 * n + 1] - 0.5f * ah) / ah,
            (float) Math.log(ow / aw),
            (float) Math.log(oh / ah),
        };
    }

    /** Object-like boxes inside the image, sides as the scene says. */
    private static float[] randomBoxes(Random rnd, Scene scene, int imageW, int imageH) {
        float[] out = new float[4 * scene.objects];
        for (int i = 0; i < scene.objects; i++) {
            float w = imageW * (scene.minSide + scene.sideRange * rnd.nextFloat());
            float h = imageH * (scene.minSide + scene.sideRange * rnd.nextFloat());
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
