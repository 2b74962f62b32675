package org.visionstream.jobs.view;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecodeException;
import org.visionstream.operators.preprocess.ImageDecoder;

/** Conversions between the detector's {@link DecodedImage} and OpenCV's {@link Mat}, drawing and JPEG encoding. */
final class Images {

    private static final ImageDecoder DECODER = new ImageDecoder();

    private Images() {}

    /** A new BGR Mat holding a copy of the image's pixels; the caller closes it. */
    static Mat toMat(DecodedImage image) {
        Mat mat = new Mat(image.height(), image.width(), CV_8UC3);
        mat.data().put(image.bgr());
        return mat;
    }

    /**
     * The joined frame decoded as the job decodes it, with its camera's track trails and its detections (and
     * their track ids) drawn; the caller closes it.
     */
    static Mat annotated(JoinedFrame frame, List<TrackTrails.Trail> trails, DetectionPainter painter) {
        DecodedImage image;
        try {
            image = DECODER.decode(frame.image());
        } catch (ImageDecodeException e) {
            // The job made an event of this frame, so the same decoder accepted it there.
            throw new IllegalStateException("frame " + frame.event().cameraId() + "#" + frame.event().sequence()
                    + " decoded in the job but not here: " + e.getMessage(), e);
        }
        Mat mat = toMat(image);
        painter.paintTrails(mat, trails);
        painter.paint(mat, frame.event().detections(), frame.trackIds());
        return mat;
    }

    /** A copy of a BGR Mat's pixels, as the detector takes them. */
    static DecodedImage toDecodedImage(Mat bgr) {
        if (bgr.type() != CV_8UC3) {
            throw new IllegalArgumentException("expected an 8-bit BGR image, got OpenCV type " + bgr.type());
        }
        Mat continuous = bgr.isContinuous() ? bgr : bgr.clone();
        try {
            byte[] pixels = new byte[bgr.cols() * bgr.rows() * 3];
            continuous.data().get(pixels);
            return new DecodedImage(bgr.cols(), bgr.rows(), pixels);
        } finally {
            if (continuous != bgr) {
                continuous.close();
            }
        }
    }

    static byte[] jpeg(Mat bgr, int quality) {
        try (BytePointer out = new BytePointer(); IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            if (!imencode(".jpg", bgr, out, params)) {
                throw new IllegalStateException("OpenCV could not encode a " + bgr.cols() + "x" + bgr.rows() + " image as JPEG");
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }
}
