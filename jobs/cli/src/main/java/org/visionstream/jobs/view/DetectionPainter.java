package org.visionstream.jobs.view;

import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.visionstream.operators.detect.Detection;

/**
 * Draws detections onto a BGR image with OpenCV: a box in the colour of the detection's class and, next
 * to it, a tag of that colour with the label, an optional track id and the score. Used by the live view and
 * by {@code annotate}. Stateless and thread-safe.
 */
public final class DetectionPainter {

    /**
     * Colours, BGR, picked by class id: the default classes (COCO 1 person, 2 bicycle, 3 car, 4 motorcycle,
     * 6 bus) and VOC's fall on different entries. Saturated, so that a box stands out on a street scene.
     */
    private static final int[][] PALETTE = {
        {56, 56, 255}, {255, 157, 151}, {31, 112, 255}, {29, 178, 255}, {49, 210, 207}, {10, 249, 72},
        {23, 204, 146}, {134, 219, 61}, {211, 188, 0}, {255, 56, 132}, {187, 0, 255}, {236, 24, 0},
    };

    /** The box line and text grow with the image so that they stay readable on large frames. */
    private static final int REFERENCE_SIDE = 400;

    /** Draws every detection onto {@code bgr}, in place, in list order. */
    public void paint(Mat bgr, List<Detection> detections) {
        paint(bgr, detections, Collections.nCopies(detections.size(), OptionalLong.empty()));
    }

    /**
     * Draws every detection onto {@code bgr}, in place, in list order, with its track id (one per detection,
     * empty for none) written after the label.
     */
    public void paint(Mat bgr, List<Detection> detections, List<OptionalLong> trackIds) {
        if (trackIds.size() != detections.size()) {
            throw new IllegalArgumentException(detections.size() + " detections but " + trackIds.size() + " track ids");
        }
        List<int[]> tags = new ArrayList<>();
        for (int i = 0; i < detections.size(); i++) {
            paint(bgr, detections.get(i), trackIds.get(i), tags);
        }
    }

    /** Draws each track's recent path as a line in its class colour, half the box line's width; under the boxes. */
    void paintTrails(Mat bgr, List<TrackTrails.Trail> trails) {
        int width = Math.max(1, lineWidth(bgr.cols(), bgr.rows()) / 2);
        for (TrackTrails.Trail t : trails) {
            try (Scalar colour = scalar(colour(t.classId()))) {
                for (int i = 1; i < t.xs().length; i++) {
                    try (Point a = new Point(t.xs()[i - 1], t.ys()[i - 1]); Point b = new Point(t.xs()[i], t.ys()[i])) {
                        line(bgr, a, b, colour, width, LINE_8, 0);
                    }
                }
            }
        }
    }

    private void paint(Mat bgr, Detection detection, OptionalLong trackId, List<int[]> tags) {
        int width = bgr.cols();
        int height = bgr.rows();
        int scale = scale(width, height);
        int x1 = clamp(Math.round(detection.x1()), width - 1);
        int y1 = clamp(Math.round(detection.y1()), height - 1);
        int x2 = clamp(Math.round(detection.x2()), width - 1);
        int y2 = clamp(Math.round(detection.y2()), height - 1);
        try (Scalar colour = scalar(colour(detection.classId()));
                Scalar ink = textColour(colour(detection.classId()))) {
            // LINE_8: the edges are exactly the class colour (anti-aliasing would blend them into the frame).
            try (Point p1 = new Point(x1, y1); Point p2 = new Point(x2, y2)) {
                rectangle(bgr, p1, p2, colour, lineWidth(width, height), LINE_8, 0);
            }
            String text = detection.label() + (trackId.isPresent() ? " #" + trackId.getAsLong() : "")
                    + String.format(Locale.ROOT, " %.2f", detection.score());
            double fontScale = 0.45 * scale;
            try (IntPointer baseline = new IntPointer(1);
                    Size size = getTextSize(text, FONT_HERSHEY_SIMPLEX, fontScale, scale, baseline)) {
                int tagHeight = size.height() + baseline.get() + 2 * scale;
                int tagWidth = size.width() + 2 * scale;
                int left = Math.max(0, Math.min(x1, width - 1 - tagWidth));
                int[] tag = place(tags, left, tagWidth, tagHeight, y1, y2, height);
                tags.add(tag);
                try (Point t1 = new Point(tag[0], tag[1]);
                        Point t2 = new Point(tag[2], tag[3]);
                        Point origin = new Point(tag[0] + scale, tag[1] + size.height() + scale)) {
                    rectangle(bgr, t1, t2, colour, FILLED, LINE_8, 0);
                    putText(bgr, text, origin, FONT_HERSHEY_SIMPLEX, fontScale, ink, scale, LINE_AA, false);
                }
            }
        }
    }

    /**
     * The tag's rectangle {@code {x1, y1, x2, y2}}: above the box, else below it, else inside its top edge,
     * whichever comes first that fits the frame and covers no tag drawn before (boxes of a cyclist and
     * their bicycle overlap); the first that fits when all cover one.
     */
    private static int[] place(List<int[]> tags, int left, int tagWidth, int tagHeight, int y1, int y2, int height) {
        int[] tops = {y1 - tagHeight, y2, y1};
        int[] fallback = null;
        for (int top : tops) {
            if (top < 0 || top + tagHeight > height - 1) {
                continue;
            }
            int[] tag = {left, top, left + tagWidth, top + tagHeight};
            if (tags.stream().noneMatch(t -> t[0] <= tag[2] && tag[0] <= t[2] && t[1] <= tag[3] && tag[1] <= t[3])) {
                return tag;
            }
            if (fallback == null) {
                fallback = tag;
            }
        }
        return fallback != null ? fallback : new int[] {left, y1, left + tagWidth, y1 + tagHeight};
    }

    /** The box colour of a class, {@code {b, g, r}}. */
    public static int[] colour(int classId) {
        return PALETTE[Math.floorMod(classId, PALETTE.length)].clone();
    }

    /** The box line width on an image of this size (the line is centred on the box edge). */
    public static int lineWidth(int width, int height) {
        return 2 * scale(width, height);
    }

    private static int scale(int width, int height) {
        return Math.max(1, Math.round(Math.min(width, height) / (float) REFERENCE_SIDE));
    }

    private static Scalar scalar(int[] bgr) {
        return new Scalar(bgr[0], bgr[1], bgr[2], 0);
    }

    /** Black on light colours, white on dark ones (Rec. 601 luma). */
    private static Scalar textColour(int[] bgr) {
        double luma = 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2];
        return luma > 140 ? new Scalar(0, 0, 0, 0) : new Scalar(255, 255, 255, 0);
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }
}
