package org.visionstream.operators.track;

import java.util.List;
import org.visionstream.operators.events.ObjectEvent;

/**
 * What one frame did to a camera's tracks.
 *
 * @param stale true when the frame was not newer than the last one processed (a duplicate or out of order)
 *     and was left out of tracking: its ids are all null and it has no events
 * @param trackIds for each detection, in order, its confirmed track's id or null
 * @param events lifecycle and zone events, in the order they happened
 */
public record TrackerResult(boolean stale, List<Long> trackIds, List<ObjectEvent> events) {}
