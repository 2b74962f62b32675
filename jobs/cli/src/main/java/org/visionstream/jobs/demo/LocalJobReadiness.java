package org.visionstream.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.flink.api.common.JobID;

/**
 * Waits, through the local Flink cluster's REST API, until every task of a job runs and its first
 * checkpoint completed. A task is RUNNING only once its operators are open (the detector's model loaded
 * and warmed up), whereas the job itself reports RUNNING as soon as it is scheduled: a camera started
 * then would see its first frames wait for the start-up.
 */
final class LocalJobReadiness {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalJobReadiness() {}

    /**
     * @return how long the wait took
     * @throws IllegalStateException when the job fails or ends first, or is not running within {@code timeout}
     */
    static Duration await(int restPort, JobID job, Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = get(restPort, "/jobs/" + job);
        HttpRequest checkpoints = get(restPort, "/jobs/" + job + "/checkpoints");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                JsonNode details = JSON.readTree(response.body());
                String state = details.path("state").asText();
                if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                    throw new IllegalStateException("the job is " + state + " before all its tasks ran; see its log");
                }
                last = state;
                if (state.equals("RUNNING") && allVerticesRunning(details) && completedCheckpoints(http, checkpoints) > 0) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } else {
                last = "HTTP " + response.statusCode();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job's tasks are not all running after " + timeout.toSeconds() + " s (" + last + ")");
    }

    /** The job's first checkpoint sets up what every later one uses: the sinks' transactional producers, its code paths. */
    private static long completedCheckpoints(HttpClient http, HttpRequest checkpoints) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(checkpoints, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()).path("counts").path("completed").asLong() : 0;
    }

    private static HttpRequest get(int restPort, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path)).timeout(Duration.ofSeconds(5)).build();
    }

    private static boolean allVerticesRunning(JsonNode details) {
        JsonNode vertices = details.path("vertices");
        if (vertices.isEmpty()) {
            return false;
        }
        for (JsonNode vertex : vertices) {
            if (!vertex.path("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }
}
