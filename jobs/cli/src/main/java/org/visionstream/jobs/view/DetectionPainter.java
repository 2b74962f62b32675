package org.visionstream.jobs.view;

import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

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
 * Draws detections onto a BGR image with OpenCV: a box in the colour of the detection's class and, above
 * it, a tag of that colour with the label, an optional track id and the score. Used by the live view and
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

    /** Draws every detection onto {@code bgr}, in place. */
    public void paint(Mat bgr, List<Detection> detections) {
        for (Detection d : detections) {
            paint(bgr, d, OptionalLong.empty());
        }
    }

    /** Draws one detection onto {@code bgr}, in place; a track id, when given, is written after the label. */
    public void paint(Mat bgr, Detection detection, OptionalLong trackId) {
        int width = bgr.cols();
        int height = bgr.rows();
        int scale = scale(width, height);
        int thickness = lineWidth(width, height);
        int x1 = clamp(Math.round(detection.x1()), width - 1);
        int y1 = clamp(Math.round(detection.y1()), height - 1);
        int x2 = clamp(Math.round(detection.x2()), width - 1);
        int y2 = clamp(Math.round(detection.y2()), height - 1);
        Scalar colour = scalar(colour(detection.classId()));
        // LINE_8: the edges are exactly the class colour (anti-aliasing would blend them into the frame).
        try (Point p1 = new Point(x1, y1); Point p2 = new Point(x2, y2)) {
            rectangle(bgr, p1, p2, colour, thickness, LINE_8, 0);
        }
        String text = detection.label() + (trackId.isPresent() ? " #" + trackId.getAsLong() : "")
                + String.format(Locale.ROOT, " %.2f", detection.score());
        double fontScale = 0.45 * scale;
        int textThickness = scale;
        try (IntPointer baseline = new IntPointer(1);
                Size size = getTextSize(text, FONT_HERSHEY_SIMPLEX, fontScale, textThickness, baseline)) {
            int tagHeight = size.height() + baseline.get() + 2 * scale;
            int tagWidth = size.width() + 2 * scale;
            // Above the box when there is room, else just inside its top edge; moved left to stay in the frame.
            int tagTop = y1 - tagHeight >= 0 ? y1 - tagHeight : y1;
            int tagLeft = Math.max(0, Math.min(x1, width - 1 - tagWidth));
            try (Point t1 = new Point(tagLeft, tagTop);
                    Point t2 = new Point(tagLeft + tagWidth, tagTop + tagHeight);
                    Point origin = new Point(tagLeft + scale, tagTop + size.height() + scale);
                    Scalar ink = textColour(colour(detection.classId()))) {
                rectangle(bgr, t1, t2, colour, FILLED, LINE_8, 0);
                putText(bgr, text, origin, FONT_HERSHEY_SIMPLEX, fontScale, ink, textThickness, LINE_AA, false);
            }
        }
        colour.close();
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
