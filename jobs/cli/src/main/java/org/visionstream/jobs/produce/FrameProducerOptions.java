package org.visionstream.jobs.produce;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.visionstream.operators.frames.FrameHeaders;

/** What a {@link FrameProducer} reads, how it samples and encodes frames, and where it publishes them. */
public final class FrameProducerOptions {

    public static final String DEFAULT_TOPIC = "frames";
    public static final String DEFAULT_CAMERA_ID = "camera-1";
    public static final double DEFAULT_FPS = 5.0;
    public static final int DEFAULT_JPEG_QUALITY = 90;

    /** {@code scheme://}: anything FFmpeg opens by protocol rather than as a local file. */
    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    /** How the source is read, decided from the source string when the options are built. */
    public enum SourceKind {
        /** A local video file, decoded by FFmpeg; capture times follow its media timestamps. */
        VIDEO_FILE,
        /** A stream URL (rtsp://, http(s)://, ...), decoded by FFmpeg; capture times are the wall clock. */
        STREAM,
        /** A folder of .jpg/.jpeg/.png files, sent as they are in file-name order. */
        IMAGE_FOLDER
    }

    private final String bootstrapServers;
    private final String topic;
    private final String cameraId;
    private final String source;
    private final SourceKind sourceKind;
    private final double fps;
    private final int jpegQuality;
    private final long maxFrames;
    private final boolean realtime;
    private final long startSequence;
    private final Map<String, String> producerProperties;

    private FrameProducerOptions(Builder b) {
        if (b.bootstrapServers == null || b.bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers are required");
        }
        if (b.source == null || b.source.isBlank()) {
            throw new IllegalArgumentException("a source (video file, stream URL or image folder) is required");
        }
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.cameraId = b.cameraId;
        this.source = b.source;
        this.sourceKind = kindOf(b.source);
        this.fps = b.fps;
        this.jpegQuality = b.jpegQuality;
        this.maxFrames = b.maxFrames;
        this.realtime = b.realtime;
        this.startSequence = b.startSequence;
        this.producerProperties = Map.copyOf(b.producerProperties);
        if (realtime && fps == 0 && sourceKind == SourceKind.IMAGE_FOLDER) {
            throw new IllegalArgumentException("pacing an image folder in real time needs an fps above 0");
        }
    }

    private static SourceKind kindOf(String source) {
        if (URL.matcher(source).matches()) {
            return SourceKind.STREAM;
        }
        return Files.isDirectory(Path.of(source)) ? SourceKind.IMAGE_FOLDER : SourceKind.VIDEO_FILE;
    }

    /**
     * Refuses a video file that is not there, which the commands check before they start anything (the
     * builder does not: options may be built before the file is written).
     */
    public static void requireSource(String source) {
        if (kindOf(source) == SourceKind.VIDEO_FILE && !Files.isRegularFile(Path.of(source))) {
            throw new IllegalArgumentException("video " + source + " does not exist: give a video file, a stream URL"
                    + " (rtsp://, http(s)://) or a folder of .jpg/.png images");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String topic() {
        return topic;
    }

    /** The record key and {@code camera-id} header of every frame. */
    public String cameraId() {
        return cameraId;
    }

    /** The video file path, stream URL or image folder, as given. */
    public String source() {
        return source;
    }

    public SourceKind sourceKind() {
        return sourceKind;
    }

    /** Frames per second to sample from a video by its timestamps, or the pace of an image folder; 0 = every frame. */
    public double fps() {
        return fps;
    }

    /** OpenCV JPEG quality of re-encoded video frames, 1 to 100. */
    public int jpegQuality() {
        return jpegQuality;
    }

    /** Stop after this many frames; 0 = until the source ends. */
    public long maxFrames() {
        return maxFrames;
    }

    /**
     * Pace video files and image folders at their capture times instead of as fast as possible. Streams
     * always arrive in real time, so it does not apply to them.
     */
    public boolean realtime() {
        return realtime;
    }

    /** The {@code frame-seq} of the first frame sent. */
    public long startSequence() {
        return startSequence;
    }

    /** Extra Kafka producer settings (security, compression, ...), applied over the producer's defaults. */
    public Map<String, String> producerProperties() {
        return producerProperties;
    }

    /** Builder with the defaults: topic "frames", camera "camera-1", 5 fps, JPEG quality 90, no limit, not paced. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private String cameraId = DEFAULT_CAMERA_ID;
        private String source;
        private double fps = DEFAULT_FPS;
        private int jpegQuality = DEFAULT_JPEG_QUALITY;
        private long maxFrames;
        private boolean realtime;
        private long startSequence;
        private Map<String, String> producerProperties = new LinkedHashMap<>();

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder topic(String topic) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("the topic must not be blank");
            }
            this.topic = topic;
            return this;
        }

        public Builder cameraId(String cameraId) {
            if (cameraId == null || cameraId.isBlank() || !cameraId.strip().equals(cameraId)
                    || cameraId.length() > FrameHeaders.MAX_CAMERA_ID_LENGTH) {
                throw new IllegalArgumentException("the camera id must be 1 to " + FrameHeaders.MAX_CAMERA_ID_LENGTH
                        + " characters without surrounding whitespace, got '" + cameraId + "'");
            }
            this.cameraId = cameraId;
            return this;
        }

        public Builder source(String source) {
            this.source = source;
            return this;
        }

        public Builder fps(double fps) {
            if (!(fps >= 0 && Double.isFinite(fps))) {
                throw new IllegalArgumentException("fps must be >= 0 (0 = every frame), got " + fps);
            }
            this.fps = fps;
            return this;
        }

        public Builder jpegQuality(int quality) {
            if (quality < 1 || quality > 100) {
                throw new IllegalArgumentException("JPEG quality must be in [1, 100], got " + quality);
            }
            this.jpegQuality = quality;
            return this;
        }

        public Builder maxFrames(long maxFrames) {
            if (maxFrames < 0) {
                throw new IllegalArgumentException("max frames must be >= 0 (0 = no limit), got " + maxFrames);
            }
            this.maxFrames = maxFrames;
            return this;
        }

        public Builder realtime(boolean realtime) {
            this.realtime = realtime;
            return this;
        }

        public Builder startSequence(long startSequence) {
            if (startSequence < 0) {
                throw new IllegalArgumentException("the start sequence must be >= 0, got " + startSequence);
            }
            this.startSequence = startSequence;
            return this;
        }

        public Builder producerProperties(Map<String, String> properties) {
            this.producerProperties = new LinkedHashMap<>(Objects.requireNonNull(properties));
            return this;
        }

        /** Checks the required settings and decides the source kind (a folder must exist by now). */
        public FrameProducerOptions build() {
            return new FrameProducerOptions(this);
        }
    }
}
