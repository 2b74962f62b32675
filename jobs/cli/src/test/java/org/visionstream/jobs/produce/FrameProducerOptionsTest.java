package org.visionstream.jobs.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visionstream.jobs.produce.FrameProducerOptions.SourceKind;

class FrameProducerOptionsTest {

    private static FrameProducerOptions.Builder valid() {
        return FrameProducerOptions.builder().bootstrapServers("localhost:9092").source("video.mp4");
    }

    @Test
    void hasTheDocumentedDefaults() {
        FrameProducerOptions o = valid().build();
        assertEquals("frames", o.topic());
        assertEquals("camera-1", o.cameraId());
        assertEquals(5.0, o.fps());
        assertEquals(90, o.jpegQuality());
        assertEquals(0, o.maxFrames());
        assertFalse(o.realtime());
        assertEquals(0, o.startSequence());
        assertTrue(o.producerProperties().isEmpty());
    }

    @Test
    void rejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> valid().jpegQuality(0));
        assertThrows(IllegalArgumentException.class, () -> valid().jpegQuality(101));
        assertThrows(IllegalArgumentException.class, () -> valid().fps(-1));
        assertThrows(IllegalArgumentException.class, () -> valid().fps(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> valid().fps(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> valid().maxFrames(-1));
        assertThrows(IllegalArgumentException.class, () -> valid().startSequence(-1));
        assertThrows(IllegalArgumentException.class, () -> valid().topic(" "));
        assertThrows(IllegalArgumentException.class, () -> valid().cameraId(""));
        assertThrows(IllegalArgumentException.class, () -> valid().cameraId(" cam "));
        assertThrows(IllegalArgumentException.class, () -> valid().cameraId("c".repeat(257)));
        assertEquals(1, valid().jpegQuality(1).build().jpegQuality());
        assertEquals(0.0, valid().fps(0).build().fps());
    }

    @Test
    void requiresBootstrapServersAndSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrameProducerOptions.builder().source("video.mp4").build());
        assertTrue(e.getMessage().contains("bootstrap servers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> valid().bootstrapServers(" ").build());
        assertThrows(IllegalArgumentException.class, () -> valid().source(null).build());
    }

    @Test
    void detectsFoldersUrlsAndFiles(@TempDir Path dir) throws Exception {
        Path video = Files.createFile(dir.resolve("clip.mp4"));
        assertEquals(SourceKind.IMAGE_FOLDER, valid().source(dir.toString()).build().sourceKind());
        assertEquals(SourceKind.VIDEO_FILE, valid().source(video.toString()).build().sourceKind());
        assertEquals(SourceKind.VIDEO_FILE, valid().source(dir.resolve("missing.mp4").toString()).build().sourceKind());
        assertEquals(SourceKind.STREAM, valid().source("rtsp://cam.local:554/stream1").build().sourceKind());
        assertEquals(SourceKind.STREAM, valid().source("http://cam.local/video.mjpg").build().sourceKind());
        assertEquals(SourceKind.STREAM, valid().source("HTTPS://cam.local/live.m3u8").build().sourceKind());
    }

    @Test
    void pacingAFolderNeedsARate(@TempDir Path dir) {
        FrameProducerOptions.Builder folder = valid().source(dir.toString()).realtime(true);
        assertThrows(IllegalArgumentException.class, () -> folder.fps(0).build());
        assertTrue(folder.fps(2).build().realtime());
        assertTrue(valid().realtime(true).fps(0).build().realtime());
    }

    @Test
    void copiesProducerProperties() {
        Map<String, String> props = new HashMap<>(Map.of("compression.type", "lz4"));
        FrameProducerOptions o = valid().producerProperties(props).build();
        props.put("linger.ms", "50");
        assertEquals(Map.of("compression.type", "lz4"), o.producerProperties());
        assertThrows(UnsupportedOperationException.class, () -> o.producerProperties().put("acks", "1"));
    }
}
