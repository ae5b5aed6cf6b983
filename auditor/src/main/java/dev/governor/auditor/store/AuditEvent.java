package dev.governor.auditor.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * One governance event to record. Its leaf in the log is the RFC 8785 canonical JSON of
 * {@code {"type", "occurredAt", "proposalId"?, "actor"?, "policyRevision"?, "data"?}}; absent
 * optional fields are left out. {@code occurredAt} is kept to the microsecond, the precision of
 * PostgreSQL timestamps, so that the stored column and the signed leaf agree.
 *
 * @param type           what happened, e.g. {@code proposal.received}, {@code approval}, {@code killswitch.paused}
 * @param proposalId     the proposal concerned, if any
 * @param actor          who acted (a person's or an agent's identity), if any
 * @param policyRevision the policy bundle revision in force, if any
 * @param occurredAt     when it happened
 * @param data           the event's own fields, kept as given
 */
public record AuditEvent(String type, String proposalId, String actor, String policyRevision, Instant occurredAt,
                         JsonNode data) {

    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_.-]{0,99}");

    public AuditEvent {
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("audit event type '" + type
                    + "' must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter");
        }
        if (occurredAt == null) {
            throw new IllegalArgumentException("audit event " + type + " needs the time it occurred");
        }
        occurredAt = occurredAt.truncatedTo(ChronoUnit.MICROS);
        data = data == null || data.isNull() ? null : data.deepCopy();
    }

    /** The JSON object whose canonical form is the leaf. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("type", type);
        json.put("occurredAt", DateTimeFormatter.ISO_INSTANT.format(occurredAt));
        if (proposalId != null) {
            json.put("proposalId", proposalId);
        }
        if (actor != null) {
            json.put("actor", actor);
        }
        if (policyRevision != null) {
            json.put("policyRevision", policyRevision);
        }
        if (data != null) {
            json.set("data", data.deepCopy());
        }
        return json;
    }

    /** The leaf bytes: RFC 8785 canonical JSON of {@link #toJson()}. */
    public byte[] leaf() {
        return CanonicalJson.canonicalize(toJson());
    }

    /** Reads an event back from its leaf bytes, as stored or exported. */
    public static AuditEvent fromLeaf(byte[] leaf) {
        return fromJson(CanonicalJson.parse(new String(leaf, StandardCharsets.UTF_8)));
    }

    /**
     * Checks that {@code json} is an audit event as {@link #fromJson(JsonNode)} would read it,
     * without building one (verifiers check millions of leaves).
     *
     * @throws IllegalArgumentException or {@link java.time.DateTimeException} saying what is wrong
     */
    public static void requireEvent(JsonNode json) {
        if (!json.isObject()) {
            throw new IllegalArgumentException("leaf is not an audit event: it needs a textual type and occurredAt");
        }
        requireEvent(json.path("type").textValue(), json.path("occurredAt").textValue());
    }

    /** As {@link #requireEvent(JsonNode)}, given the top-level {@code type} and {@code occurredAt} strings (null if absent). */
    public static void requireEvent(String type, String occurredAt) {
        if (type == null || occurredAt == null) {
            throw new IllegalArgumentException("leaf is not an audit event: it needs a textual type and occurredAt");
        }
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("audit event type '" + type
                    + "' must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter");
        }
        Instant.parse(occurredAt);
    }

    /** Reads an event back from the JSON object of its leaf. */
    public static AuditEvent fromJson(JsonNode json) {
        if (!json.isObject() || !json.path("type").isTextual() || !json.path("occurredAt").isTextual()) {
            throw new IllegalArgumentException("leaf is not an audit event: it needs a textual type and occurredAt");
        }
        return new AuditEvent(json.get("type").textValue(), text(json, "proposalId"), text(json, "actor"),
                text(json, "policyRevision"), Instant.parse(json.get("occurredAt").textValue()), json.get("data"));
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
