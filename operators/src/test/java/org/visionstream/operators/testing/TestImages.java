package org.visionstream.operators.testing;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.visionstream.operators.preprocess.DecodedImage;

/** Images made from the shared ones with OpenCV: resized copies and their JPEG or PNG bytes. */
public final class TestImages {

    private TestImages() {}

    public static DecodedImage resized(DecodedImage image, int width, int height) {
        try (BytePointer pixels = new BytePointer(image.bgr());
                Mat src = new Mat(image.height(), image.width(), CV_8UC3, pixels);
                Mat dst = new Mat();
                Size size = new Size(width, height)) {
            resize(src, dst, size, 0, 0, INTER_CUBIC);
            byte[] bgr = new byte[width * height * 3];
            dst.data().get(bgr);
            return new DecodedImage(width, height, bgr);
        }
    }

    public static byte[] jpeg(DecodedImage image, int quality) {
        return encode(image, ".jpg", new int[] {IMWRITE_JPEG_QUALITY, quality});
    }

    public static byte[] png(DecodedImage image) {
        return encode(image, ".png", new int[0]);
    }

    private static byte[] encode(DecodedImage image, String extension, int[] params) {
        try (BytePointer pixels = new BytePointer(image.bgr());
                Mat mat = new Mat(image.height(), image.width(), CV_8UC3, pixels);
                BytePointer out = new BytePointer();
                IntPointer flags = new IntPointer(params)) {
            if (!imencode(extension, mat, out, flags)) {
                throw new IllegalStateException("OpenCV cannot encode " + extension);
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }
}
