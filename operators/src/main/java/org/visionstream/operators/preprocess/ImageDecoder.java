package org.visionstream.operators.preprocess;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.visionstream.operators.preprocess.ImageDecodeException.Reason;
import org.visionstream.operators.preprocess.internal.ImageHeaders;

/**
 * Decodes JPEG and PNG bytes into BGR pixels with OpenCV. Limits are checked on the declared size in
 * the header before any pixel memory is allocated, so a hostile frame cannot exhaust the heap.
 * Thread-safe.
 */
public final class ImageDecoder {

    /** 64 MiB of encoded bytes: far above any camera frame, far below a heap blow-up. */
    public static final int DEFAULT_MAX_BYTES = 64 << 20;

    /**
     * 4096 x 4096 = 16 Mpx, 48 MiB of BGR pixels: covers 4K UHD and 12 Mpx sensors. Compression makes
     * the byte limit no pixel limit: a 143 KB PNG can declare 49 Mpx, and decoding it costs 250 MB.
     */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096;

    private final int maxBytes;
    private final long maxPixels;

    public ImageDecoder() {
        this(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }

    public ImageDecoder(int maxBytes, long maxPixels) {
        if (maxBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    public DecodedImage decode(byte[] data) throws ImageDecodeException {
        if (data == null || data.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "the frame has no bytes");
        }
        if (data.length > maxBytes) {
            throw new ImageDecodeException(
                    Reason.TOO_LARGE, "the frame has " + data.length + " bytes, the limit is " + maxBytes);
        }
        ImageFormat format = ImageFormat.sniff(data);
        if (format == null) {
            throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, "neither a JPEG nor a PNG signature");
        }
        long[] size = ImageHeaders.declaredSize(format, data);
        if (size[0] == 0 || size[1] == 0) {
            throw new ImageDecodeException(
                    Reason.CORRUPT, "the header declares " + size[0] + "x" + size[1] + ", an image without pixels");
        }
        if (size[0] * size[1] > maxPixels) {
            throw new ImageDecodeException(
                    Reason.DIMENSIONS_TOO_LARGE,
                    "the header declares " + size[0] + "x" + size[1] + ", more than " + maxPixels + " pixels");
        }
        if (format == ImageFormat.JPEG && !ImageHeaders.endsWithJpegEoi(data)) {
            // libjpeg fills a cut-off JPEG with grey and succeeds; a partial frame must not reach the model.
            throw new ImageDecodeException(Reason.TRUNCATED, "the JPEG has no end-of-image marker");
        }
        try (BytePointer bytes = new BytePointer(data);
                Mat encoded = new Mat(1, data.length, CV_8UC1, bytes);
                Mat image = imdecode(encoded, IMREAD_COLOR)) {
            if (image == null || image.empty()) {
                throw new ImageDecodeException(
                        format == ImageFormat.PNG ? Reason.TRUNCATED : Reason.CORRUPT,
                        "OpenCV could not decode the " + format + " data");
            }
            if (image.type() != CV_8UC3 || !image.isContinuous()) {
                throw new ImageDecodeException(Reason.CORRUPT, "unexpected decoded layout, type " + image.type());
            }
            int width = image.cols();
            int height = image.rows();
            byte[] bgr = new byte[width * height * 3];
            image.data().get(bgr);
            return new DecodedImage(width, height, bgr);
        }
    }
}
