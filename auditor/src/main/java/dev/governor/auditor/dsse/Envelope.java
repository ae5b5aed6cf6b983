package dev.governor.auditor.dsse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A DSSE envelope (secure-systems-lab/dsse, protocol v1): a payload of a stated type and the
 * signatures over its pre-authentication encoding {@link #pae}. Signatures sign the type together
 * with the bytes, so a payload cannot be re-read as another type; the bytes are kept as they came,
 * never re-serialised, so what was signed is what is checked.
 *
 * <p>JSON form: {@code {"payloadType": ..., "payload": base64, "signatures": [{"keyid": ..., "sig": base64}]}}.
 * Standard base64 is written; standard and URL-safe base64 are read, as the protocol allows.
 */
public record Envelope(String payloadType, byte[] payload, List<Signature> signatures) {

    /** The media type of a DSSE envelope in JSON, as in-toto and Sigstore name it. */
    public static final String MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
    private static final Set<String> FIELDS = Set.of("payloadType", "payload", "signatures");
    private static final Set<String> SIGNATURE_FIELDS = Set.of("keyid", "sig");

    /** One signature: the key's id (a hint; may be empty) and the signature bytes. */
    public record Signature(String keyid, byte[] sig) {
    }

    public Envelope {
        signatures = List.copyOf(signatures);
    }

    /**
     * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, with LEN the byte
     * length in ASCII decimal: the exact bytes every signature covers.
     */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    public byte[] pae() {
        return pae(payloadType, payload);
    }

    /** Reads an envelope from its JSON form; anything missing, mistyped, unknown or not base64 is refused. */
    public static Envelope parse(JsonNode node) throws DsseException {
        if (node == null || !node.isObject()) {
            throw new DsseException("not-envelope", "a DSSE envelope is a JSON object");
        }
        rejectUnknown(node, FIELDS, "the envelope");
        String type = text(node, "payloadType", false);
        byte[] payload = base64(text(node, "payload", true), "payload");
        JsonNode list = node.get("signatures");
        if (list == null || !list.isArray()) {
            throw new DsseException("not-envelope", "signatures must be an array");
        }
        List<Signature> signatures = new ArrayList<>();
        for (JsonNode s : list) {
            if (!s.isObject()) {
                throw new DsseException("not-envelope", "each signature is an object with keyid and sig");
            }
            rejectUnknown(s, SIGNATURE_FIELDS, "a signature");
            JsonNode keyid = s.get("keyid");
            if (keyid != null && !keyid.isTextual()) {
                throw new DsseException("not-envelope", "a signature's keyid must be a string");
            }
            signatures.add(new Signature(keyid == null ? "" : keyid.asText(), base64(text(s, "sig", false), "sig")));
        }
        return new Envelope(type, payload, signatures);
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("payloadType", payloadType);
        node.put("payload", Base64.getEncoder().encodeToString(payload));
        ArrayNode list = node.putArray("signatures");
        for (Signature s : signatures) {
            list.addObject().put("keyid", s.keyid()).put("sig", Base64.getEncoder().encodeToString(s.sig()));
        }
        return node;
    }

    /** The same envelope with one more signature. */
    public Envelope with(Signature signature) {
        List<Signature> more = new ArrayList<>(signatures);
        more.add(signature);
        return new Envelope(payloadType, payload, more);
    }

    private static void rejectUnknown(JsonNode node, Set<String> allowed, String what) throws DsseException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new DsseException("not-envelope", what + " has an unknown field \"" + name + "\"");
            }
        }
    }

    private static String text(JsonNode node, String field, boolean mayBeEmpty) throws DsseException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || (!mayBeEmpty && value.asText().isEmpty())) {
            throw new DsseException("not-envelope", field + " must be a " + (mayBeEmpty ? "" : "non-empty ") + "string");
        }
        return value.asText();
    }

    private static byte[] base64(String text, String field) throws DsseException {
        try {
            return text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new DsseException("not-envelope", field + " is not base64: " + e.getMessage());
        }
    }
}
