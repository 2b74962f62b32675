package org.visionstream.jobs.testing;

import java.nio.file.Path;

/** The shared data and the converted model the integration tests use (paths set by the build, see the root pom). */
public final class TestData {

    public static final Path SHARED = Path.of(System.getProperty("visionstream.shared", "../../../shared")).toAbsolutePath();

    public static final Path D2GO_BUNDLE = Path.of(System.getProperty("visionstream.d2go.bundle",
            "../../model-assets/target/bundles/d2go-fbnetv3a-c4-coco")).toAbsolutePath();

    /** A 500x406 street photo with several cars. */
    public static final Path STREET_JPEG = SHARED.resolve("media/images/voc/000004.jpg");

    /** The demo's default video: 480x270, 3.4 s, a person, a bicycle, a bus. */
    public static final Path STREET_VIDEO = SHARED.resolve("media/video/person-bicycle-car-detection.mp4");

    private TestData() {}
}
