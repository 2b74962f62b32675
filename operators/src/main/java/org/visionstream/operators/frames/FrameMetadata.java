package org.visionstream.operators.frames;

import java.io.Serializable;

/** The validated headers of a frame. */
public record FrameMetadata(String cameraId, long sequence, long captureTimestamp, String contentType)
        implements Serializable {}
