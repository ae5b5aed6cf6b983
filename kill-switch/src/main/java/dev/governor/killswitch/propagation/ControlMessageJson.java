package dev.governor.killswitch.propagation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.killswitch.state.KillSwitchState;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PendingResume;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Supplier;

/**
 * The JSON form of a {@link ControlMessage} on {@code rsi.control}:
 *
 * <pre>
 * {"format": "governor-killswitch/v1",
 *  "pauseState": {"state": "PAUSED", "epoch": 7, "reason": "...", "actor": "alice", "cause": null,
 *                 "changedAt": "2026-11-25T18:00:00.123Z",
 *                 "pendingResume": null | {"officer", "reason", "requestedAt", "expiresAt"},
 *                 "signature": "base64"},
 *  "issuedAt": "2026-11-25T18:00:02.456Z",
 *  "issueSignature": "base64"}
 * </pre>
 *
 * Instants are ISO-8601 strings exactly as in the canonical form. Unknown fields are ignored
 * (signatures cover only the canonical form, so they cannot change what is verified).
 */
public final class ControlMessageJson {

    public static final String FORMAT = "governor-killswitch/v1";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ControlMessageJson() {
    }

    public static byte[] encode(ControlMessage message) {
        ObjectNode root = NODES.objectNode();
        root.put("format", FORMAT);
        root.set("pauseState", encode(message.state()));
        root.put("issuedAt", message.issuedAt().toString());
        root.put("issueSignature", message.issueSignature());
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers failed to serialise", e);
        }
    }

    public static ObjectNode encode(PauseState s) {
        ObjectNode node = NODES.objectNode();
        node.put("state", s.state().name());
        node.put("epoch", s.epoch());
        node.put("reason", s.reason());
        node.put("actor", s.actor());
        node.put("cause", s.cause());
        node.put("changedAt", s.changedAt().toString());
        PendingResume p = s.pendingResume();
        if (p == null) {
            node.putNull("pendingResume");
        } else {
            ObjectNode pending = node.putObject("pendingResume");
            pending.put("officer", p.officer());
            pending.put("reason", p.reason());
            pending.put("requestedAt", p.requestedAt().toString());
            pending.put("expiresAt", p.expiresAt().toString());
        }
        node.put("signature", s.signature());
        return node;
    }

    /** @throws MalformedControlMessageException when the bytes are not a v1 control message */
    public static ControlMessage decode(byte[] json) {
        if (json == null) {
            throw new MalformedControlMessageException("the record has no value (a tombstone)");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new MalformedControlMessageException("not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedControlMessageException("not a JSON object");
        }
        String format = text(root, "format", true);
        if (!FORMAT.equals(format)) {
            throw new MalformedControlMessageException("unknown format '" + format + "', expected " + FORMAT);
        }
        JsonNode state = root.get("pauseState");
        if (state == null || !state.isObject()) {
            throw new MalformedControlMessageException("pauseState must be an object");
        }
        return new ControlMessage(decodeState(state), instant(root, "issuedAt"), text(root, "issueSignature", false));
    }

    public static PauseState decodeState(JsonNode node) {
        String stateName = text(node, "state", true);
        KillSwitchState state;
        try {
            state = KillSwitchState.valueOf(stateName);
        } catch (IllegalArgumentException e) {
            throw new MalformedControlMessageException("pauseState.state '" + stateName + "' is not RUNNING, PAUSED or TRIPPED");
        }
        JsonNode epoch = node.get("epoch");
        if (epoch == null || !epoch.isIntegralNumber() || !epoch.canConvertToLong()) {
            throw new MalformedControlMessageException("pauseState.epoch must be an integer");
        }
        JsonNode pendingNode = node.get("pendingResume");
        PendingResume pending = null;
        if (pendingNode != null && !pendingNode.isNull()) {
            if (!pendingNode.isObject()) {
                throw new MalformedControlMessageException("pauseState.pendingResume must be an object or null");
            }
            pending = construct(() -> new PendingResume(text(pendingNode, "officer", true), text(pendingNode, "reason", true),
                    instant(pendingNode, "requestedAt"), instant(pendingNode, "expiresAt")));
        }
        PendingResume pendingResume = pending;
        return construct(() -> new PauseState(state, epoch.longValue(), text(node, "reason", true), text(node, "actor", true),
                text(node, "cause", false), instant(node, "changedAt"), pendingResume, text(node, "signature", false)));
    }

    private static <T> T construct(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException invalid) {
            throw new MalformedControlMessageException("invalid pauseState: " + invalid.getMessage(), invalid);
        }
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new MalformedControlMessageException("'" + field + "' is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedControlMessageException("'" + field + "' must be a string");
        }
        return value.textValue();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field, true);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedControlMessageException("'" + field + "' is not an ISO-8601 instant: " + text, e);
        }
    }
}
