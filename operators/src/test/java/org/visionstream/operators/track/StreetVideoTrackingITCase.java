package org.visionstream.operators.track;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.testing.SharedData;

/**
 * The tracker on the real detections of the shared street video (the D2Go bundle, every frame in order,
 * capture time from the video's timestamps): the cyclist keeps one track id while it is visible.
 */
class StreetVideoTrackingITCase {

    @Test
    void theCyclistKeepsOneTrackIdWhileVisible() throws Exception {
        Tracker tracker = new Tracker(TrackerOptions.builder().build());
        TrackerState state = new TrackerState();
        List<ObjectEvent> events = new ArrayList<>();
        List<Long> bicycleIds = new ArrayList<>();
        List<Long> riderIds = new ArrayList<>();
        int frames = 0;
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        try (Detector detector = Detector.create(DetectorOptions.builder().bundle(SharedData.d2goBundle())
                        .classes(List.of("car", "bicycle", "motorcycle", "bus", "person")).build());
                FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(
                        SharedData.file("media/video/person-bicycle-car-detection.mp4").toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            ImageDecoder decoder = new ImageDecoder();
            Frame frame;
            while ((frame = grabber.grabImage()) != null) {
                byte[] png;
                try (BytePointer encoded = new BytePointer()) {
                    assertTrue(imencode(".png", converter.convert(frame), encoded));
                    png = new byte[(int) encoded.limit()];
                    encoded.get(png);
                }
                List<Detection> detections = detector.detect(decoder.decode(png)).detections();
                TrackerResult r = tracker.update(state, "street", frames, frame.timestamp / 1000, detections);
                events.addAll(r.events());
                // The cyclist's bicycle: the best bicycle box (the detector also reports a part of it now and then).
                int bicycle = -1;
                for (int i = 0; i < detections.size(); i++) {
                    if (detections.get(i).label().equals("bicycle")
                            && (bicycle < 0 || detections.get(i).score() > detections.get(bicycle).score())) {
                        bicycle = i;
                    }
                }
                if (bicycle >= 0) {
                    bicycleIds.add(r.trackIds().get(bicycle));
                    Detection b = detections.get(bicycle);
                    for (int i = 0; i < detections.size(); i++) {
                        Detection d = detections.get(i);
                        // The rider: a person whose feet are on the bicycle's box.
                        float feetX = (d.x1() + d.x2()) / 2;
                        if (d.label().equals("person") && feetX > b.x1() && feetX < b.x2() && d.y2() > b.y1() && d.y2() < b.y2()) {
                            riderIds.add(r.trackIds().get(i));
                        }
                    }
                }
                frames++;
            }
            grabber.stop();
        }
        events.addAll(tracker.expire(state, "street"));
        events.forEach(e -> System.out.println(e.type() + " #" + e.trackId() + " " + e.label() + " at #" + e.sequence()));
        System.out.println("bicycle ids per frame " + bicycleIds + "\nrider ids per frame " + riderIds);

        // From the frame its track is confirmed (min hits) to the end of the video, one id for the bicycle...
        int confirmed = 0;
        while (confirmed < bicycleIds.size() && bicycleIds.get(confirmed) == null) {
            confirmed++;
        }
        assertTrue(bicycleIds.size() - confirmed >= 8, "bicycle tracked in " + (bicycleIds.size() - confirmed) + " frames: " + bicycleIds);
        Long bicycleId = bicycleIds.get(confirmed);
        assertEquals(Collections.nCopies(bicycleIds.size() - confirmed, bicycleId), bicycleIds.subList(confirmed, bicycleIds.size()));
        // ...and one for its rider (null only where a low score followed a missed frame: ByteTrack's second pass
        // extends only the tracks seen in the previous frame).
        Set<Long> riderTracks = new LinkedHashSet<>(riderIds);
        riderTracks.remove(null);
        assertEquals(1, riderTracks.size(), "rider ids per frame: " + riderIds);
        assertTrue(riderIds.stream().filter(riderTracks::contains).count() >= 8, "rider ids per frame: " + riderIds);

        Map<Long, String> appeared = new TreeMap<>();
        Map<Long, Integer> disappeared = new TreeMap<>();
        for (ObjectEvent e : events) {
            if (e.type() == ObjectEvent.Type.APPEARED) {
                assertEquals(null, appeared.put(e.trackId(), e.label()), "appeared once: " + e);
            } else if (e.type() == ObjectEvent.Type.DISAPPEARED) {
                disappeared.merge(e.trackId(), 1, Integer::sum);
            }
        }
        assertEquals("bicycle", appeared.get(bicycleId));
        assertEquals("person", appeared.get(riderTracks.iterator().next()));
        assertEquals(appeared.keySet(), disappeared.keySet());
        assertTrue(disappeared.values().stream().allMatch(n -> n == 1), "disappeared once: " + disappeared);
    }
}
