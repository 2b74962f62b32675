package org.visionstream.operators.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The event schemas on the classpath, each loaded on first use only: producing events needs no schema. */
final class JsonSchemas {

    private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();

    private JsonSchemas() {}

    static List<String> validate(String resource, JsonNode json) {
        return LOADED.computeIfAbsent(resource, JsonSchemas::load).validate(json).stream()
                .map(ValidationMessage::getMessage).toList();
    }

    private static JsonSchema load(String resource) {
        try (InputStream in = JsonSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
