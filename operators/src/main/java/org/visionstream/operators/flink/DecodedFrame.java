package org.visionstream.operators.flink;

import java.io.Serializable;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.preprocess.DecodedImage;

/** A frame that passed header validation and decoding, on its way to the detector. */
public record DecodedFrame(
        RawFrame frame, FrameMetadata metadata, DecodedImage image, long ingestTimestamp, double decodeMillis)
        implements Serializable {}
