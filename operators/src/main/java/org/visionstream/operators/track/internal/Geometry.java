package org.visionstream.operators.track.internal;

/** Boxes as {@code x1, y1, x2, y2}; polygons and lines as flat {@code x, y} pairs in image pixels. */
public final class Geometry {

    private Geometry() {}

    public static float iou(float[] a, float[] b) {
        float w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        float h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        float inter = w * h;
        float union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union > 0 ? inter / union : 0;
    }

    /** Even-odd rule: whether {@code (x, y)} lies inside the polygon {@code xy} (closed implicitly). */
    public static boolean inside(float[] xy, float x, float y) {
        boolean in = false;
        int n = xy.length / 2;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            float xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
                in = !in;
            }
        }
        return in;
    }

    /**
     * Which side of the directed line {@code a -> b} the point lies on, as seen on screen (y down): +1 on
     * the right, -1 on the left or on the line (a point must be on one side, or a movement through a point
     * exactly on the line would cross it in no step).
     */
    public static int side(float ax, float ay, float bx, float by, float x, float y) {
        return (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0 ? 1 : -1;
    }

    /**
     * Whether the movement {@code p -> q} crosses the segment {@code a -> b}: +1 from its left to its right,
     * -1 from right to left, 0 when it does not cross.
     */
    public static int crossing(float ax, float ay, float bx, float by, float px, float py, float qx, float qy) {
        int from = side(ax, ay, bx, by, px, py);
        int to = side(ax, ay, bx, by, qx, qy);
        if (from == to) {
            return 0;
        }
        // The movement crosses the infinite line; it crosses the segment when a and b lie on either side of it.
        int sa = side(px, py, qx, qy, ax, ay);
        int sb = side(px, py, qx, qy, bx, by);
        if (sa == sb) {
            return 0;
        }
        return from < 0 ? 1 : -1;
    }
}
