package org.visionstream.operators.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Zones (polygons) and directed lines per camera, in image pixels, from a JSON file:
 *
 * <pre>{@code
 * {"cameras": {
 *    "street-1": {"zones": [{"name": "sidewalk", "polygon": [[0,200],[480,200],[480,270],[0,270]]}],
 *                 "lines": [{"name": "crossing", "from": [240,0], "to": [240,270]}]},
 *    "*": {...}}}
 * }</pre>
 *
 * <p>{@code "*"} applies to cameras without an entry of their own. An object's position is the bottom centre
 * of its box (where it stands). A line is crossed {@code forward} when the object moves from the left of
 * {@code from -> to} to its right as seen on the image (y down), {@code backward} the other way.
 */
public final class ZoneOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Zones per camera: a track remembers the zones it is in as bits of a long. */
    public static final int MAX_ZONES = 64;

    public static final ZoneOptions NONE = new ZoneOptions(Map.of());

    private static final String ANY_CAMERA = "*";
    private static final CameraZones EMPTY = new CameraZones(List.of(), List.of());

    /** A zone: the polygon's vertices as {@code x, y} pairs. */
    public record Zone(String name, float[] polygon) implements Serializable {}

    /** A directed line from {@code (x1, y1)} to {@code (x2, y2)}. */
    public record Line(String name, float x1, float y1, float x2, float y2) implements Serializable {}

    /** The zones and lines of one camera. */
    public record CameraZones(List<Zone> zones, List<Line> lines) implements Serializable {
        public CameraZones {
            zones = List.copyOf(zones);
            lines = List.copyOf(lines);
        }

        public boolean isEmpty() {
            return zones.isEmpty() && lines.isEmpty();
        }
    }

    private final Map<String, CameraZones> cameras;

    private ZoneOptions(Map<String, CameraZones> cameras) {
        this.cameras = Map.copyOf(cameras);
    }

    public static ZoneOptions of(Map<String, CameraZones> cameras) {
        cameras.forEach(ZoneOptions::check);
        return new ZoneOptions(cameras);
    }

    public CameraZones forCamera(String cameraId) {
        return cameras.getOrDefault(cameraId, cameras.getOrDefault(ANY_CAMERA, EMPTY));
    }

    public static ZoneOptions fromJson(Path file) throws IOException {
        try {
            return parse(new ObjectMapper().readTree(Files.readAllBytes(file)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static ZoneOptions parse(JsonNode root) {
        JsonNode cams = root.path("cameras");
        if (!cams.isObject()) {
            throw new IllegalArgumentException("expected an object \"cameras\" mapping camera ids to zones and lines");
        }
        Map<String, CameraZones> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cams.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "camera " + e.getKey();
            List<Zone> zones = new ArrayList<>();
            for (JsonNode z : e.getValue().path("zones")) {
                String name = name(z, where);
                JsonNode poly = z.path("polygon");
                float[] xy = new float[poly.size() * 2];
                for (int i = 0; i < poly.size(); i++) {
                    float[] p = point(poly.get(i), where + " zone " + name);
                    xy[2 * i] = p[0];
                    xy[2 * i + 1] = p[1];
                }
                zones.add(new Zone(name, xy));
            }
            List<Line> lines = new ArrayList<>();
            for (JsonNode l : e.getValue().path("lines")) {
                String name = name(l, where);
                float[] a = point(l.path("from"), where + " line " + name);
                float[] b = point(l.path("to"), where + " line " + name);
                lines.add(new Line(name, a[0], a[1], b[0], b[1]));
            }
            result.put(e.getKey(), new CameraZones(zones, lines));
        }
        return of(result);
    }

    private static String name(JsonNode n, String where) {
        String name = n.path("name").asText("");
        if (name.isBlank()) {
            throw new IllegalArgumentException(where + ": every zone and line needs a \"name\"");
        }
        return name;
    }

    private static float[] point(JsonNode p, String where) {
        if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
            throw new IllegalArgumentException(where + ": a point is [x, y] in pixels, not " + p);
        }
        return new float[] {p.get(0).floatValue(), p.get(1).floatValue()};
    }

    private static void check(String camera, CameraZones c) {
        Objects.requireNonNull(c, camera);
        if (c.zones().size() > MAX_ZONES) {
            throw new IllegalArgumentException("camera " + camera + ": at most " + MAX_ZONES + " zones");
        }
        Set<String> names = new HashSet<>();
        for (Zone z : c.zones()) {
            if (z.polygon().length < 6) {
                throw new IllegalArgumentException("camera " + camera + " zone " + z.name() + ": a polygon needs 3 points or more");
            }
            if (!names.add("zone " + z.name())) {
                throw new IllegalArgumentException("camera " + camera + ": zone " + z.name() + " twice");
            }
        }
        for (Line l : c.lines()) {
            if (l.x1() == l.x2() && l.y1() == l.y2()) {
                throw new IllegalArgumentException("camera " + camera + " line " + l.name() + ": from and to are the same point");
            }
            if (!names.add("line " + l.name())) {
                throw new IllegalArgumentException("camera " + camera + ": line " + l.name() + " twice");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZoneOptions z && z.cameras.equals(cameras);
    }

    @Override
    public int hashCode() {
        return cameras.hashCode();
    }

    @Override
    public String toString() {
        return cameras.isEmpty() ? "no zones" : cameras.keySet() + " with zones";
    }
}
