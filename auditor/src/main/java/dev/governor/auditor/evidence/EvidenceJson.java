package dev.governor.auditor.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON form of evidence bundles and log export lines; unknown fields are refused so that nothing is silently ignored. */
public final class EvidenceJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final ObjectMapper COMPACT = MAPPER.copy().disable(SerializationFeature.INDENT_OUTPUT);

    private EvidenceJson() {
    }

    public static String write(EvidenceBundle bundle) {
        try {
            return MAPPER.writeValueAsString(bundle);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("evidence bundle cannot be serialised: " + e.getMessage(), e);
        }
    }

    public static EvidenceBundle readBundle(String json) {
        try {
            return MAPPER.readValue(json, EvidenceBundle.class);
        } catch (JsonProcessingException e) {
            throw new EvidenceException("not an evidence bundle: " + e.getOriginalMessage(), e);
        }
    }

    /** One line of a log export (JSON Lines). */
    public static String write(ExportedEntry entry) {
        try {
            return COMPACT.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("export line cannot be serialised: " + e.getMessage(), e);
        }
    }

    public static ExportedEntry readExportLine(String line, long lineNumber) {
        try {
            return COMPACT.readValue(line, ExportedEntry.class);
        } catch (JsonProcessingException e) {
            throw new EvidenceException("export line " + lineNumber + " is not an exported entry: " + e.getOriginalMessage(), e);
        }
    }
}
