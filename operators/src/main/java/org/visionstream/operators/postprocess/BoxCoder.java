package org.visionstream.operators.postprocess;

/**
 * Faster R-CNN box decoding: {@code w = x2 - x1} (no +1), centre {@code x1 + 0.5 w}; deltas are divided
 * by the weights (detectron2, torchvision) or multiplied by them (gluon-cv stds); {@code dw, dh} are
 * clamped from above when a clamp is set. All in float, in the frameworks' operation order.
 */
public final class BoxCoder {

    public enum Mode {
        DIVIDE,
        MULTIPLY
    }

    private final float wx;
    private final float wy;
    private final float ww;
    private final float wh;
    private final Mode mode;
    private final float clamp;

    /** {@code clamp} is {@link Float#NaN} for none. */
    public BoxCoder(float[] weights, Mode mode, float clamp) {
        if (weights.length != 4) {
            throw new IllegalArgumentException("box coder needs 4 weights, got " + weights.length);
        }
        this.wx = weights[0];
        this.wy = weights[1];
        this.ww = weights[2];
        this.wh = weights[3];
        this.mode = mode;
        this.clamp = Float.isNaN(clamp) ? Float.POSITIVE_INFINITY : clamp;
    }

    /**
     * Decodes one box. {@code reference} holds the anchor or proposal at {@code r}; the four deltas are
     * read at {@code deltas[d], deltas[d + step], deltas[d + 2 step], deltas[d + 3 step]} so the RPN's
     * NCHW layout (step = h * w) and the head's rows (step = 1) share the code.
     */
    public void decode(float[] reference, int r, float[] deltas, int d, int step, float[] out, int o) {
        float x1 = reference[r];
        float y1 = reference[r + 1];
        float width = reference[r + 2] - x1;
        float height = reference[r + 3] - y1;
        float ctrX = x1 + 0.5f * width;
        float ctrY = y1 + 0.5f * height;
        float dx = scale(deltas[d], wx);
        float dy = scale(deltas[d + step], wy);
        float dw = Math.min(scale(deltas[d + 2 * step], ww), clamp);
        float dh = Math.min(scale(deltas[d + 3 * step], wh), clamp);
        float predCtrX = dx * width + ctrX;
        float predCtrY = dy * height + ctrY;
        float predW = (float) Math.exp(dw) * width;
        float predH = (float) Math.exp(dh) * height;
        out[o] = predCtrX - 0.5f * predW;
        out[o + 1] = predCtrY - 0.5f * predH;
        out[o + 2] = predCtrX + 0.5f * predW;
        out[o + 3] = predCtrY + 0.5f * predH;
    }

    private float scale(float delta, float weight) {
        return mode == Mode.DIVIDE ? delta / weight : delta * weight;
    }
}
