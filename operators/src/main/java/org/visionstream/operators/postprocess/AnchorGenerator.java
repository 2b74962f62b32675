package org.visionstream.operators.postprocess;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Anchors for a single feature map: {@code A} cell anchors shifted over an {@code h x w} grid, flat
 * index {@code n = (i * w + j) * A + a}, boxes {@code x1, y1, x2, y2}. Grids are cached per feature
 * size; the returned arrays are shared and must not be modified. Thread-safe.
 */
public final class AnchorGenerator {

    private final int stride;
    private final float offset;
    private final float[] cell;
    private final ConcurrentHashMap<Long, float[]> grids = new ConcurrentHashMap<>();

    public AnchorGenerator(AnchorOptions options) {
        this.stride = options.stride();
        this.offset = options.offset();
        float[] sizes = options.sizes();
        float[] ratios = options.aspectRatios();
        this.cell = switch (options.style()) {
            case DETECTRON2 -> detectron2(sizes, ratios);
            case TORCHVISION -> torchvision(sizes, ratios);
            case GLUONCV -> gluonCv(stride, sizes, ratios);
        };
    }

    public int anchorsPerLocation() {
        return cell.length / 4;
    }

    /** The cell anchors (grid position 0, 0), a copy. */
    public float[] cellAnchors() {
        return cell.clone();
    }

    public float[] anchors(int featureH, int featureW) {
        return grids.computeIfAbsent(((long) featureH << 32) | featureW, k -> grid(featureH, featureW));
    }

    private float[] grid(int h, int w) {
        int a = anchorsPerLocation();
        float[] out = new float[h * w * a * 4];
        int o = 0;
        for (int i = 0; i < h; i++) {
            float sy = i * stride + offset * stride;
            for (int j = 0; j < w; j++) {
                float sx = j * stride + offset * stride;
                for (int k = 0; k < a; k++) {
                    out[o++] = sx + cell[4 * k];
                    out[o++] = sy + cell[4 * k + 1];
                    out[o++] = sx + cell[4 * k + 2];
                    out[o++] = sy + cell[4 * k + 3];
                }
            }
        }
        return out;
    }

    private static float[] detectron2(float[] sizes, float[] ratios) {
        float[] out = new float[sizes.length * ratios.length * 4];
        int o = 0;
        for (float size : sizes) {
            double area = (double) size * size;
            for (float ratio : ratios) {
                double w = Math.sqrt(area / ratio);
                double h = ratio * w;
                out[o++] = (float) (-w / 2);
                out[o++] = (float) (-h / 2);
                out[o++] = (float) (w / 2);
                out[o++] = (float) (h / 2);
            }
        }
        return out;
    }

    private static float[] torchvision(float[] sizes, float[] ratios) {
        float[] out = new float[sizes.length * ratios.length * 4];
        int o = 0;
        for (float ratio : ratios) {
            float hRatio = (float) Math.sqrt(ratio);
            float wRatio = 1f / hRatio;
            for (float size : sizes) {
                float ws = wRatio * size;
                float hs = hRatio * size;
                out[o++] = (float) Math.rint(-ws / 2f);
                out[o++] = (float) Math.rint(-hs / 2f);
                out[o++] = (float) Math.rint(ws / 2f);
                out[o++] = (float) Math.rint(hs / 2f);
            }
        }
        return out;
    }

    /** py-faster-rcnn enumeration: ratios outer, scales (size / stride) inner, +1 widths. */
    private static float[] gluonCv(int base, float[] sizes, float[] ratios) {
        float[] out = new float[sizes.length * ratios.length * 4];
        double w = base;
        double h = base;
        double cx = 0.5 * (w - 1);
        double cy = 0.5 * (h - 1);
        double area = w * h;
        int o = 0;
        for (float ratio : ratios) {
            double ws = Math.rint(Math.sqrt(area / ratio));
            double hs = Math.rint(ws * ratio);
            for (float size : sizes) {
                double scale = size / base;
                double sw = ws * scale;
                double sh = hs * scale;
                out[o++] = (float) (cx - 0.5 * (sw - 1));
                out[o++] = (float) (cy - 0.5 * (sh - 1));
                out[o++] = (float) (cx + 0.5 * (sw - 1));
                out[o++] = (float) (cy + 0.5 * (sh - 1));
            }
        }
        return out;
    }
}
