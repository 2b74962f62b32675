import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The converters' self-check: runs every case of {@code <bundle>/selfcheck/cases.tsv} through ONNX
 * Runtime (CPU) and compares each output with the framework's output for the same input. Prints a
 * table and exits 1 when any case is outside its tolerance. Run with the JDK source launcher:
 * {@code java -cp onnxruntime-1.29.0.jar OrtGraphCheck.java <bundle>}.
 *
 * <p>cases.tsv columns: graph file, case name, inputs, outputs. Inputs are {@code name:file:d0xd1x...},
 * outputs {@code name:file:d0xd1x...:maxAbsTolerance:meanAbsTolerance}, each joined by {@code ;}; the
 * files are raw little-endian float32.
 */
public final class OrtGraphCheck {

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: OrtGraphCheck <bundle-dir>");
            System.exit(2);
        }
        Path bundle = Path.of(args[0]);
        Path dir = bundle.resolve("selfcheck");
        List<String> lines = Files.readAllLines(dir.resolve("cases.tsv"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OrtSession> sessions = new HashMap<>();
        int failed = 0;
        System.out.printf("%-14s %-28s %-10s %12s %12s %12s %12s  %s%n",
                "graph", "case", "output", "max |diff|", "tolerance", "mean |diff|", "tolerance", "result");
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            OrtSession session = sessions.get(f[0]);
            if (session == null) {
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                // As the runtime does (OrtGraph): U8U8 int8 kernels on x86 CPUs without VNNI, whose U8S8
                // kernels saturate 16-bit intermediates (backbone features off by up to 17 steps on AVX2).
                options.addConfigEntry("session.x64quantprecision", "1");
                session = env.createSession(bundle.resolve(f[0]).toString(), options);
                sessions.put(f[0], session);
            }
            Map<String, OnnxTensor> inputs = new HashMap<>();
            for (String spec : f[2].split(";")) {
                String[] p = spec.split(":");
                inputs.put(p[0], OnnxTensor.createTensor(env, FloatBuffer.wrap(read(dir.resolve(p[1]))), shape(p[2])));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                for (String spec : f[3].split(";")) {
                    String[] p = spec.split(":");
                    double maxTol = Double.parseDouble(p[3]);
                    double meanTol = Double.parseDouble(p[4]);
                    float[] expected = read(dir.resolve(p[1]));
                    FloatBuffer actual = ((OnnxTensor) result.get(p[0]).orElseThrow()).getFloatBuffer();
                    boolean sameSize = actual.remaining() == expected.length;
                    double max = sameSize ? 0 : Double.POSITIVE_INFINITY;
                    double sum = 0;
                    for (int i = 0; sameSize && i < expected.length; i++) {
                        double d = Math.abs(actual.get(i) - expected[i]);
                        max = Math.max(max, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
                        sum += d;
                    }
                    double mean = sameSize ? sum / expected.length : Double.POSITIVE_INFINITY;
                    boolean ok = max <= maxTol && mean <= meanTol;
                    failed += ok ? 0 : 1;
                    System.out.printf("%-14s %-28s %-10s %12.4g %12.4g %12.4g %12.4g  %s%n",
                            f[0], f[1], p[0], max, maxTol, mean, meanTol, ok ? "pass" : "FAIL");
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
        for (OrtSession s : sessions.values()) {
            s.close();
        }
        if (failed > 0) {
            System.out.println(failed + " output(s) outside tolerance");
            System.exit(1);
        }
        System.out.println("all graphs match the framework within tolerance");
    }

    private static long[] shape(String dims) {
        String[] d = dims.split("x");
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = Long.parseLong(d[i]);
        }
        return out;
    }

    private static float[] read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(out);
        return out;
    }
}
