package org.visionstream.jobs.view;

import picocli.CommandLine.Option;

/** Where the live view listens: the options of {@code view} and {@code demo --view}. */
public final class ViewAddress {

    /** Loopback: the page shows camera frames, so it is not offered to the network unless asked for. */
    @Option(names = "--view-host", defaultValue = "127.0.0.1",
            description = "Address the live view listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--view-port", defaultValue = "8088", description = "Port of the live view, 0 = any free port (default: ${DEFAULT-VALUE}).")
    int port;

    ViewServer start(LiveBoard board) {
        return ViewServer.start(host, port, board);
    }
}
