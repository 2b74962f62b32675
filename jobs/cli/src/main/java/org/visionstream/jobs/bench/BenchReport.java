package org.visionstream.jobs.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The pipeline benchmark's table: one line per measurement, then the ratios of their frames per second and of their
 * frames per CPU second (the inverse ratio of CPU time per frame).
 */
final class BenchReport {

    /** {@code numerator / denominator} of the rows with these ids. */
    record Ratio(String numerator, String denominator) {}

    private BenchReport() {}

    static String format(List<String> header, List<Measurement> rows, List<Ratio> ratios) {
        StringBuilder out = new StringBuilder();
        header.forEach(line -> out.append(line).append('\n'));
        out.append(String.format(Locale.ROOT, "%-13s %-52s %9s %9s %9s %9s  %-26s %9s %9s  %s%n", "row", "what",
                "frames/s", "CPU ms/f", "p50 ms", "p99 ms", "latency", "e2e p50", "e2e p99", "note"));
        for (Measurement m : rows) {
            Measurement.Latency e2e = m.endToEnd();
            out.append(String.format(Locale.ROOT, "%-13s %-52s %9.1f %9.1f %9.1f %9.1f  %-26s %9s %9s  %s%n", m.id(),
                    m.description(), m.framesPerSecond(), m.cpuMillisPerFrame(), m.latency().p50(), m.latency().p99(),
                    m.latencyKind(),
                    e2e == null ? "-" : millis(e2e.p50()), e2e == null ? "-" : millis(e2e.p99()), m.note()).stripTrailing())
                    .append('\n');
        }
        for (Ratio r : ratios) {
            Optional<Measurement> n = find(rows, r.numerator());
            Optional<Measurement> d = find(rows, r.denominator());
            if (n.isPresent() && d.isPresent()) {
                out.append(String.format(Locale.ROOT, "(%s) / (%s) = %.2f in frames/s, %.2f in frames per CPU second%n",
                        r.numerator(), r.denominator(), n.get().framesPerSecond() / d.get().framesPerSecond(),
                        d.get().cpuMillisPerFrame() / n.get().cpuMillisPerFrame()));
            }
        }
        return out.toString();
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    private static Optional<Measurement> find(List<Measurement> rows, String id) {
        return rows.stream().filter(m -> m.id().equals(id)).findFirst();
    }
}
