package org.visionstream.jobs.detection;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One read of Flink's Prometheus endpoint: the text exposition format, summed by metric name. */
record PrometheusScrape(String text) {

    /** {@code name{labels} value}; Flink prefixes every name with its scope, e.g. {@code flink_taskmanager_job_task_operator_}. */
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static PrometheusScrape of(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /metrics: HTTP " + r.statusCode());
        }
        return new PrometheusScrape(r.body());
    }

    /** Scrapes until the counter {@code nameSuffix} is above 0. */
    static PrometheusScrape awaitCounter(int port, String nameSuffix, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PrometheusScrape s = of(port);
            if (s.sum(nameSuffix) > 0 || System.nanoTime() > deadline) {
                return s;
            }
            Thread.sleep(50);
        }
    }

    /** The sum over every sample (all subtasks and operators) whose name ends with {@code _nameSuffix}. */
    long sum(String nameSuffix) {
        long sum = 0;
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).endsWith("_" + nameSuffix)) {
                sum += Math.round(Double.parseDouble(m.group(3)));
            }
        }
        return sum;
    }

    /** Sums of {@code nameSuffix} per value of {@code label}. */
    Map<String, Long> byLabel(String nameSuffix, String label) {
        Map<String, Long> sums = new TreeMap<>();
        Pattern value = Pattern.compile("[{,]" + label + "=\"([^\"]*)\"");
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).endsWith("_" + nameSuffix) && m.group(2) != null) {
                Matcher v = value.matcher(m.group(2));
                if (v.find()) {
                    sums.merge(v.group(1), Math.round(Double.parseDouble(m.group(3))), Long::sum);
                }
            }
        }
        return sums;
    }
}
