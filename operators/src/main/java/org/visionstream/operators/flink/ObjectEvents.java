package org.visionstream.operators.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;
import org.visionstream.operators.events.ObjectEvent;

/** The side output {@link TrackFunction} sends lifecycle and zone events to. */
public final class ObjectEvents {

    public static final OutputTag<ObjectEvent> TAG = new OutputTag<>("object-events", TypeInformation.of(ObjectEvent.class));

    private ObjectEvents() {}
}
