package org.visionstream.jobs.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.visionstream.jobs.detection.DetectionJobOptions;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.produce.FrameProducerOptions;
import org.visionstream.jobs.testing.EmbeddedKafkaExtension;
import org.visionstream.jobs.testing.TestData;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.detect.FrameDetections;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;
import picocli.CommandLine;

/**
 * The live view in a real browser (Debian's headless chromium through chromedriver) and {@code annotate}
 * on a run read back from Kafka. Frames of the shared street video go to a frames topic; the test runs the
 * D2Go detector on them itself and commits one event per frame, as the job would, in two transactions:
 * the page must show the first half, then move on to the last frame by itself, with the detector's
 * boxes drawn where the detector put them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveViewITCase {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path WORK = Path.of("target", "live-view-it").toAbsolutePath();
    private static final String CAMERA = "street-camera";
    private static final String FRAMES_TOPIC = "view-frames";
    private static final String EVENTS_TOPIC = "view-detections";
    /** 2.5 frames/s of the street video: frame 6, at 2.4 s, has the cyclist and the person (the demo's frame 12). */
    private static final double FPS = 2.5;
    private static final int FRAMES = 7;
    private static final int FIRST_HALF = FRAMES / 2;

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final List<byte[]> images = new ArrayList<>();
    private static final List<DetectionEvent> events = new ArrayList<>();
    private static int published;

    @BeforeAll
    static void framesAndTheirEvents() throws Exception {
        Files.createDirectories(WORK);
        KAFKA.kafka().createTopic(FRAMES_TOPIC, 1, FrameProducer.MAX_REQUEST_BYTES);
        KAFKA.kafka().createTopic(EVENTS_TOPIC, 1, 1 << 20);
        try (FrameProducer producer = new FrameProducer(FrameProducerOptions.builder()
                .bootstrapServers(KAFKA.bootstrapServers())
                .topic(FRAMES_TOPIC)
                .cameraId(CAMERA)
                .source(TestData.STREET_VIDEO.toString())
                .fps(FPS)
                .realtime(false)
                .maxFrames(FRAMES)
                .build())) {
            assertEquals(FRAMES, producer.run((frames, bytes, seconds) -> {}).framesSent());
        }
        ImageDecoder decoder = new ImageDecoder();
        try (CommittedRecordsReader reader = new CommittedRecordsReader(KAFKA.bootstrapServers(), List.of(FRAMES_TOPIC),
                        FrameProducer.MAX_REQUEST_BYTES);
                Detector detector = Detector.create(DetectorOptions.builder()
                        .bundle(TestData.D2GO_BUNDLE)
                        .classes(DetectionJobOptions.DEFAULT_CLASSES)
                        .build())) {
            for (ConsumerRecord<byte[], byte[]> r : reader.readAtLeast(FRAMES, Duration.ofSeconds(30))) {
                FrameMetadata frame = TopicRecords.frame(r, System.currentTimeMillis());
                long start = System.nanoTime();
                FrameDetections found = detector.detect(decoder.decode(r.value()));
                long now = System.currentTimeMillis();
                images.add(r.value());
                events.add(new DetectionEvent(CAMERA, frame.sequence(), frame.captureTimestamp(), now, now, 0,
                        (System.nanoTime() - start) / 1e6, new DetectionEvent.Model("d2go-fbnetv3a-c4-coco", "test"),
                        new DetectionEvent.Image(found.width(), found.height()),
                        new DetectionEvent.Source(r.topic(), r.partition(), r.offset()),
                        found.detections()));
            }
        }
        assertEquals(FRAMES, events.size());
        assertFalse(events.get(FRAMES - 1).detections().isEmpty(), "the detector finds the cyclist in the last frame");
    }

    @Test
    @Order(1)
    void theBrowserShowsTheCameraLiveWithTheDetectorsBoxes() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the live view test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): run bin/setup-debian");
        }
        LiveBoard board = new LiveBoard();
        WebDriver browser = null;
        try (LiveFeed feed = new LiveFeed(KAFKA.bootstrapServers(), FRAMES_TOPIC, EVENTS_TOPIC, true, board);
                ViewServer server = ViewServer.start("127.0.0.1", 0, board)) {
            publishEvents(FIRST_HALF);
            browser = chromium();
            browser.get(server.url());
            WebDriver b = browser;
            By card = By.cssSelector("[data-camera='" + CAMERA + "']");
            waitFor(() -> !b.findElements(card).isEmpty()
                    && String.valueOf(FIRST_HALF - 1).equals(b.findElement(card).getAttribute("data-sequence")),
                    "the page shows frame " + (FIRST_HALF - 1) + " of " + CAMERA);
            assertEquals(CAMERA, browser.findElement(card).findElement(By.tagName("h2")).getText());

            publishEvents(FRAMES);
            String last = String.valueOf(FRAMES - 1);
            waitFor(() -> last.equals(b.findElement(card).getAttribute("data-sequence")),
                    "the page moves on to frame " + last + " by itself");
            WebElement img = browser.findElement(card).findElement(By.tagName("img"));
            waitFor(() -> Boolean.TRUE.equals(((ChromeDriver) b).executeScript(
                    "return arguments[0].complete && arguments[0].naturalWidth > 0", img)), "the frame is loaded");
            String stats = browser.findElement(card).findElement(By.className("stats")).getText();
            assertTrue(stats.contains("frames/s") && stats.contains("detector") && stats.contains("capture"), stats);

            Files.write(WORK.resolve("page.png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(img.getScreenshotAs(OutputType.BYTES)));
            assertBoxDrawn(shot, "the screenshot");
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }
    }

    @Test
    @Order(2)
    void annotateDrawsAFinishedRunReadBackFromTheTopics() throws Exception {
        publishEvents(FRAMES);
        Path video = WORK.resolve("run.mp4");
        int exit = new CommandLine(new AnnotateCommand()).execute("--bootstrap-servers", KAFKA.bootstrapServers(),
                "--frames-topic", FRAMES_TOPIC, "--events-topic", EVENTS_TOPIC, "--out", video.toString());
        assertEquals(0, exit);
        int frames = 0;
        BufferedImage last = null;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            Frame frame;
            while ((frame = grabber.grabImage()) != null) {
                frames++;
                last = toImage(Images.toDecodedImage(converter.convert(frame)));
            }
        }
        assertEquals(FRAMES, frames);
        assertBoxDrawn(last, "the last frame of " + video);
    }

    /**
     * The last-drawn detection of the last frame (nothing drawn after it covers it): along the middle half of
     * its left and right edges every pixel is closer to the class colour than to the frame's own pixel, and
     * at its centre closer to the frame. Relative, because the page and the video are lossy: JPEG and H.264
     * keep a 2 px saturated line recognisable but not exact.
     */
    private static void assertBoxDrawn(BufferedImage shown, String what) throws Exception {
        DetectionEvent event = events.get(FRAMES - 1);
        DecodedImage original = new ImageDecoder().decode(images.get(FRAMES - 1));
        assertEquals(original.width(), shown.getWidth(), what + " width (device scale factor 1)");
        assertEquals(original.height(), shown.getHeight(), what + " height");
        Detection item = event.detections().get(event.detections().size() - 1);
        int[] colour = DetectionPainter.colour(item.classId());
        float[] box = item.box();
        int x1 = Math.round(box[0]);
        int x2 = Math.round(box[2]);
        int top = Math.round(box[1] + (box[3] - box[1]) / 4);
        int bottom = Math.round(box[3] - (box[3] - box[1]) / 4);
        assertTrue(bottom > top, "a box of some height: " + item);
        for (int y = top; y <= bottom; y++) {
            for (int x : new int[] {x1, x2}) {
                int[] seen = bgr(shown, x, y);
                int[] frame = bgr(original, x, y);
                assertTrue(distance(seen, colour) < distance(seen, frame), what + ": " + item.label() + " edge at " + x
                        + "," + y + " is " + List.of(seen[0], seen[1], seen[2]) + ", the frame there "
                        + List.of(frame[0], frame[1], frame[2]) + ", the class colour " + List.of(colour[0], colour[1], colour[2]));
            }
        }
        int cx = (x1 + x2) / 2;
        int cy = (top + bottom) / 2;
        int[] centre = bgr(shown, cx, cy);
        assertTrue(distance(centre, bgr(original, cx, cy)) < distance(centre, colour), what + ": box centre unchanged");
    }

    /** Commits events up to {@code count} in one transaction, as the job's exactly-once sink does at a checkpoint. */
    private static void publishEvents(int count) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "live-view-it");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (; published < count; published++) {
                producer.send(new ProducerRecord<>(EVENTS_TOPIC, CAMERA.getBytes(), DetectionEventJson.toBytes(events.get(published))));
            }
            producer.commitTransaction();
        }
    }

    private static WebDriver chromium() throws Exception {
        // A fresh profile: one left by a killed run holds a lock that makes Chromium refuse to start.
        Path profile = WORK.resolve("chromium-profile");
        if (Files.exists(profile)) {
            try (Stream<Path> old = Files.walk(profile)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--window-size=1280,1024", "--force-device-scale-factor=1",
                "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        if ("root".equals(System.getProperty("user.name"))) {
            options.addArguments("--no-sandbox"); // Chromium's sandbox refuses to run as root
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withEnvironment(Map.of("TMPDIR", Files.createDirectories(WORK.resolve("tmp")).toString()))
                .withLogFile(WORK.resolve("chromedriver.log").toFile())
                .build();
        return new ChromeDriver(service, options);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private static BufferedImage toImage(DecodedImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int[] p = bgr(image, x, y);
                out.setRGB(x, y, (p[2] << 16) | (p[1] << 8) | p[0]);
            }
        }
        return out;
    }

    private static int[] bgr(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return new int[] {rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff};
    }

    private static int[] bgr(DecodedImage image, int x, int y) {
        int i = (y * image.width() + x) * 3;
        byte[] p = image.bgr();
        return new int[] {p[i] & 0xff, p[i + 1] & 0xff, p[i + 2] & 0xff};
    }

    private static double distance(int[] a, int[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }
}
