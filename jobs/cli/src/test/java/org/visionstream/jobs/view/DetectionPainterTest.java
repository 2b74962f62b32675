package org.visionstream.jobs.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.testing.TestData;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;

/** The painter on the shared 500x406 street photo: what changes, and only there. */
class DetectionPainterTest {

    /** A car box as the detector reports it, in fractional pixels. */
    private static final Detection CAR = new Detection("car", 3, 0.91f, 100.4f, 150.6f, 300.2f, 349.9f);
    private static final int X1 = 100;
    private static final int Y1 = 151;
    private static final int X2 = 300;
    private static final int Y2 = 350;

    /**
     * The tag above the box: FONT_HERSHEY_SIMPLEX at scale 0.45 is 10 px tall, plus its baseline (5 px) and
     * a margin above and below.
     */
    private static final int MAX_TAG_HEIGHT = 20;

    private static DecodedImage street;

    @BeforeAll
    static void decode() throws Exception {
        street = new ImageDecoder().decode(Files.readAllBytes(TestData.STREET_JPEG));
        assertEquals(500, street.width());
        assertEquals(406, street.height());
    }

    @Test
    void theBoxEdgesAreTheClassColourAndNothingChangesOffThem() {
        DecodedImage painted = paint(List.of(CAR));
        int[] colour = DetectionPainter.colour(3);
        int lw = DetectionPainter.lineWidth(street.width(), street.height());
        assertEquals(2, lw);
        for (int x = X1; x <= X2; x++) {
            assertArrayEquals(colour, pixel(painted, x, Y1), "top edge at x=" + x);
            assertArrayEquals(colour, pixel(painted, x, Y2), "bottom edge at x=" + x);
        }
        for (int y = Y1; y <= Y2; y++) {
            assertArrayEquals(colour, pixel(painted, X1, y), "left edge at y=" + y);
            assertArrayEquals(colour, pixel(painted, X2, y), "right edge at y=" + y);
        }
        for (int y = 0; y < street.height(); y++) {
            for (int x = 0; x < street.width(); x++) {
                boolean nearEdge = x >= X1 - lw && x <= X2 + lw && y >= Y1 - lw && y <= Y2 + lw
                        && !(x > X1 + lw && x < X2 - lw && y > Y1 + lw && y < Y2 - lw);
                boolean inTag = y >= Y1 - MAX_TAG_HEIGHT && y < Y1 && x >= X1 && x <= X2;
                if (!nearEdge && !inTag) {
                    int fx = x;
                    int fy = y;
                    assertArrayEquals(pixel(street, x, y), pixel(painted, x, y), () -> "changed off the box at " + fx + "," + fy);
                }
            }
        }
        // the street is not the class colour just beside the lines, so the checks above could fail
        assertTrue(distance(pixel(street, X1 - lw - 1, (Y1 + Y2) / 2), colour) > 100);
    }

    @Test
    void theTagAboveTheBoxIsFilledInTheClassColourAndGrowsWithATrackId() {
        int[] colour = DetectionPainter.colour(3);
        int plainRight = tagRight(paint(List.of(CAR)), colour);
        assertTrue(plainRight > X1 + 40, "a tag with 'car 0.91' in it, right end at " + plainRight);
        DecodedImage withId = street;
        try (Mat mat = Images.toMat(street)) {
            new DetectionPainter().paint(mat, List.of(CAR), List.of(OptionalLong.of(12345)));
            withId = Images.toDecodedImage(mat);
        }
        assertTrue(tagRight(withId, colour) > plainRight + 20, "' #12345' widens the tag");
    }

    @Test
    void aTagAtTheRightEdgeMovesLeftToStayInTheFrame() {
        Detection atEdge = new Detection("car", 3, 0.5f, 480, 200, 499, 260);
        DecodedImage painted = paint(List.of(atEdge));
        int[] colour = DetectionPainter.colour(3);
        int leftmost = street.width();
        for (int x = 0; x < street.width(); x++) {
            if (Arrays.equals(colour, pixel(painted, x, 195))) {
                leftmost = Math.min(leftmost, x);
            }
        }
        assertTrue(leftmost < 450, "the tag starts at x=" + leftmost + ", left of the 19 px wide box");
    }

    @Test
    void aTagThatWouldCoverAnEarlierOneGoesBelowItsBox() {
        // the person's box lies inside the bicycle's, as a cyclist's does: both tags would go above x=100..
        Detection bicycle = new Detection("bicycle", 2, 0.9f, 100, 150, 300, 350);
        Detection person = new Detection("person", 1, 0.8f, 110, 140, 250, 300);
        DecodedImage painted = paint(List.of(bicycle, person));
        int[] personColour = DetectionPainter.colour(1);
        int[] bicycleColour = DetectionPainter.colour(2);
        assertArrayEquals(bicycleColour, pixel(painted, 101, 148), "the bicycle's tag above its box");
        assertArrayEquals(personColour, pixel(painted, 111, 303), "the person's tag below its box");
        assertArrayEquals(pixel(street, 111, 131), pixel(painted, 111, 131), "nothing above the person's box");
    }

    @Test
    void theDefaultClassesHaveTheirOwnColours() {
        Set<List<Integer>> colours = new HashSet<>();
        for (int cocoId : new int[] {1, 2, 3, 4, 6}) {
            int[] c = DetectionPainter.colour(cocoId);
            colours.add(List.of(c[0], c[1], c[2]));
        }
        assertEquals(5, colours.size());
    }

    /** The rightmost pixel of the class colour in the row just above the box, inside the tag. */
    private static int tagRight(DecodedImage painted, int[] colour) {
        int right = -1;
        for (int x = 0; x < painted.width(); x++) {
            if (Arrays.equals(colour, pixel(painted, x, Y1 - 3))) {
                right = x;
            }
        }
        return right;
    }

    @Test
    void aTrailIsTheClassColourAlongItsPathAndNothingElse() {
        TrackTrails.Trail trail = new TrackTrails.Trail(7, CAR.classId(), new int[] {50, 450, 450}, new int[] {380, 380, 20});
        DecodedImage painted;
        try (Mat mat = Images.toMat(street)) {
            new DetectionPainter().paintTrails(mat, List.of(trail));
            painted = Images.toDecodedImage(mat);
        }
        int[] colour = DetectionPainter.colour(CAR.classId());
        for (int x = 50; x <= 450; x++) {
            assertArrayEquals(colour, pixel(painted, x, 380), "horizontal leg at x=" + x);
        }
        for (int y = 20; y <= 380; y++) {
            assertArrayEquals(colour, pixel(painted, 450, y), "vertical leg at y=" + y);
        }
        // Half the box line (1 px on this image): the rows beside the path keep the photo's pixels.
        for (int x = 60; x <= 440; x += 20) {
            assertArrayEquals(pixel(street, x, 378), pixel(painted, x, 378), "above the path at x=" + x);
            assertArrayEquals(pixel(street, x, 382), pixel(painted, x, 382), "below the path at x=" + x);
        }
    }

    private static DecodedImage paint(List<Detection> detections) {
        try (Mat mat = Images.toMat(street)) {
            new DetectionPainter().paint(mat, detections);
            return Images.toDecodedImage(mat);
        }
    }

    private static int[] pixel(DecodedImage image, int x, int y) {
        int i = (y * image.width() + x) * 3;
        byte[] p = image.bgr();
        return new int[] {p[i] & 0xff, p[i + 1] & 0xff, p[i + 2] & 0xff};
    }

    private static double distance(int[] a, int[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }
}
