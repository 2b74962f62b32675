package org.visionstream.operators.testing;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/** Frames of the shared videos as PNG files, for tests that compare the Java runtime with a Python reference. */
public final class VideoFrames {

    private VideoFrames() {}

    /**
     * {@code count} evenly spaced frames of {@code video} as {@code dir/<stem>-<k>.png}, saved losslessly so
     * both sides decode identical pixels.
     */
    public static List<Path> extract(Path video, Path dir, int count) throws Exception {
        List<Path> out = new ArrayList<>();
        String stem = video.getFileName().toString().replace(".mp4", "");
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            int total = Math.max(grabber.getLengthInFrames(), count);
            int step = total / count;
            for (int k = 0; k < count; k++) {
                grabber.setVideoFrameNumber(k * step + step / 2);
                Frame frame = grabber.grabImage();
                assertTrue(frame != null, "cannot read frame " + k + " of " + video);
                Path png = dir.resolve(stem + "-" + k + ".png");
                Mat mat = converter.convert(frame); // owned and reused by the converter
                try (BytePointer encoded = new BytePointer()) {
                    assertTrue(imencode(".png", mat, encoded), "cannot encode frame " + k + " of " + video);
                    byte[] bytes = new byte[(int) encoded.limit()];
                    encoded.get(bytes);
                    Files.write(png, bytes);
                }
                out.add(png);
            }
            grabber.stop();
        }
        return out;
    }
}
