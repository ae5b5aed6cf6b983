package dev.governor.controlplane.proposal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.auditor.dsse.DsseException;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.controlplane.loop.Loop;
import dev.governor.controlplane.loop.LoopRegistry;
import dev.governor.controlplane.loop.LoopSnapshot;
import dev.governor.controlplane.loop.Signer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns the bytes of a record on {@code rsi.proposals} into a {@link Proposal}, or says precisely
 * why they are not one. Checks, in order: size, UTF-8, JSON (no duplicate keys, bounded nesting,
 * nothing trailing), CloudEvents 1.0 in structured or binary content mode, then the signature
 * (the event's data is a DSSE envelope signed by a key of the loop it names, or by Governor's API
 * key for a proposal submitted over HTTP; ADR 0017) before anything in the payload is read, then
 * the payload as strictly as the record (UTF-8, JSON), the loop's registration, the JSON Schema
 * of the proposal data, the inline diff limit, and that the record key (when present) names the
 * same proposal. No message attribute establishes who sent it.
 *
 * <p>Thread-safe: holds only immutable, shareable state.
 */
public final class ProposalParser {

    public static final String SPEC_VERSION = "1.0";
    public static final String EVENT_TYPE = "dev.governor.proposal.v1";
    /** DSSE payload type of a loop's signed proposal: the payload is the proposal's data object. */
    public static final String PROPOSAL_PAYLOAD_TYPE = "application/vnd.governor.proposal.v1+json";
    /**
     * DSSE payload type of a proposal the API publishes for an authenticated submitter, signed with
     * Governor's API key: {@code {"submitter": {"subject", "username"}, "proposal": {...}}}.
     */
    public static final String SUBMISSION_PAYLOAD_TYPE = "application/vnd.governor.submission.v1+json";
    public static final String SCHEMA_RESOURCE = "schema/proposal-data.v1.json";
    /** Kafka binding, binary content mode: each attribute in a header of this prefix. */
    public static final String BINARY_PREFIX = "ce_";
    public static final String CONTENT_TYPE_HEADER = "content-type";
    private static final String SIGNING_HELP = "; proposals must be signed: the event's data is a DSSE envelope ("
            + "datacontenttype " + Envelope.MEDIA_TYPE + ") of payload type " + PROPOSAL_PAYLOAD_TYPE
            + ", signed by one of the loop's registered keys (docs/loop-integration.md)";

    private final int maxMessageBytes;
    private final int maxInlineDiffBytes;
    private final ObjectMapper mapper;
    private final JsonSchema schema;

    public ProposalParser(int maxMessageBytes, int maxInlineDiffBytes, int maxNestingDepth) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxInlineDiffBytes = maxInlineDiffBytes;
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        .maxStringLength(maxMessageBytes)
                        .maxNumberLength(64)
                        .build())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.schema = loadSchema();
    }

    public static String schemaText() {
        try (InputStream in = resource()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A record in structured content mode.
     *
     * @param registry who may sign, as of now
     * @param now      the time keys must be valid at
     */
    public Proposal parse(String key, byte[] value, LoopSnapshot registry, OffsetDateTime now) throws MalformedProposalException {
        JsonNode root = readValue(value, "the record has no value");
        if (root == null || !root.isObject()) {
            throw new MalformedProposalException("not-cloudevent", "a structured CloudEvent must be a JSON object");
        }
        return fromEvent(key, (ObjectNode) root, registry, now);
    }

    /** Whether a Kafka record carries its CloudEvent in binary content mode: any {@code ce_} header. */
    public static boolean isBinary(List<Map.Entry<String, byte[]>> headers) {
        return headers.stream().anyMatch(h -> h.getKey().startsWith(BINARY_PREFIX));
    }

    /**
     * A record in the binary content mode of the CloudEvents Kafka binding: the attributes in
     * {@code ce_} headers, {@code content-type} as {@code datacontenttype}, the value as
     * {@code data}. The value gets every check a structured event's data gets, and the same
     * content digest; each header must be valid UTF-8 and given once.
     */
    public Proposal parseBinary(String key, List<Map.Entry<String, byte[]>> headers, byte[] value, LoopSnapshot registry,
                                OffsetDateTime now) throws MalformedProposalException {
        JsonNode data = readValue(value, "the record has no value (binary mode: the value is the data)");
        ObjectNode event = mapper.createObjectNode();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, byte[]> header : headers) {
            String name = header.getKey();
            boolean attribute = name.startsWith(BINARY_PREFIX);
            if (!attribute && !name.equals(CONTENT_TYPE_HEADER)) {
                continue;
            }
            if (!seen.add(name)) {
                throw new MalformedProposalException("duplicate-header", "header " + name + " is given more than once");
            }
            String text = decodeHeader(name, header.getValue());
            event.put(attribute ? name.substring(BINARY_PREFIX.length()) : "datacontenttype", text);
        }
        event.set("data", data);
        return fromEvent(key, event, registry, now);
    }

    private static String decodeHeader(String name, byte[] value) throws MalformedProposalException {
        if (value == null) {
            throw new MalformedProposalException("invalid-header", "header " + name + " has no value");
        }
        return strictUtf8(value, "invalid-header", "header " + name + " is not valid UTF-8");
    }

    /** The record's value as JSON: present, within the size limit, valid UTF-8, strict JSON. */
    private JsonNode readValue(byte[] value, String whenEmpty) throws MalformedProposalException {
        if (value == null || value.length == 0) {
            throw new MalformedProposalException("empty", whenEmpty);
        }
        if (value.length > maxMessageBytes) {
            throw new MalformedProposalException("too-large",
                    "the record is " + value.length + " bytes; the limit is " + maxMessageBytes);
        }
        String text = strictUtf8(value, "invalid-utf8", "the record value is not valid UTF-8");
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedProposalException("not-json", e.getOriginalMessage());
        }
    }

    private Proposal fromEvent(String key, ObjectNode root, LoopSnapshot registry, OffsetDateTime now)
            throws MalformedProposalException {
        String specVersion = requiredString(root, "specversion");
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new MalformedProposalException("unsupported-specversion",
                    "specversion \"" + specVersion + "\" is not supported; use \"1.0\"");
        }
        String type = requiredString(root, "type");
        if (!EVENT_TYPE.equals(type)) {
            throw new MalformedProposalException("unsupported-type",
                    "type \"" + type + "\" is not a proposal; use \"" + EVENT_TYPE + "\"");
        }
        String id = requiredString(root, "id");
        String source = requiredString(root, "source");
        checkUriReference(source);
        OffsetDateTime time = optionalTime(root);
        if (root.has("data_base64")) {
            throw new MalformedProposalException("not-cloudevent", "data_base64 is not accepted; send data as a JSON object");
        }
        JsonNode contentType = root.get("datacontenttype");
        if (contentType != null && !contentType.isTextual()) {
            throw new MalformedProposalException("not-cloudevent", "datacontenttype must be a string");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new MalformedProposalException("not-cloudevent", "data must be a JSON object");
        }
        String mediaType = contentType == null ? null : contentType.asText();
        if (mediaType == null || mediaType.startsWith("application/json")) {
            throw new MalformedProposalException("unsigned", "the proposal is not signed" + SIGNING_HELP);
        }
        if (!mediaType.startsWith(Envelope.MEDIA_TYPE)) {
            throw new MalformedProposalException("not-cloudevent", "datacontenttype must be " + Envelope.MEDIA_TYPE);
        }
        Signed signed = verified(data, registry, now);
        ObjectNode proposal = signed.data();
        checkSchema(proposal);
        String proposalId = proposal.get("proposalId").asText();
        if (!proposalId.equals(id)) {
            throw new MalformedProposalException("id-mismatch",
                    "CloudEvent id \"" + id + "\" must equal data.proposalId \"" + proposalId + "\"");
        }
        if (key != null && !key.equals(proposalId)) {
            throw new MalformedProposalException("key-mismatch",
                    "record key \"" + key + "\" must equal the proposal id \"" + proposalId + "\"");
        }
        JsonNode diff = proposal.path("artifact").get("inlineDiff");
        if (diff != null) {
            int diffBytes = diff.asText().getBytes(StandardCharsets.UTF_8).length;
            if (diffBytes > maxInlineDiffBytes) {
                throw new MalformedProposalException("diff-too-large",
                        "artifact.inlineDiff is " + diffBytes + " bytes; the limit is " + maxInlineDiffBytes
                                + "; put larger diffs behind artifact.uri");
            }
        }
        String digest;
        try {
            digest = CanonicalJson.sha256Hex(proposal);
        } catch (RuntimeException e) {
            throw new MalformedProposalException("not-canonicalizable", e.getMessage());
        }
        return new Proposal(proposalId, source, time, proposal, digest, signed.submitter(), signed.provenance());
    }

    /**
     * Checks a proposal's data against the JSON Schema alone: the API answers a malformed body
     * with 400 before it asks whether the caller may submit for the loop it names.
     */
    public void checkSchema(JsonNode proposal) throws MalformedProposalException {
        Set<ValidationMessage> errors = schema.validate(proposal);
        if (!errors.isEmpty()) {
            String detail = errors.stream()
                    .sorted(Comparator.comparing(ValidationMessage::getMessage))
                    .limit(5)
                    .map(ValidationMessage::getMessage)
                    .collect(Collectors.joining("; "));
            throw new MalformedProposalException("schema", detail);
        }
    }

    private record Signed(ObjectNode data, String submitter, Proposal.Provenance provenance) {
    }

    /**
     * The signature first, then the payload it covers: who signed (a registered loop key valid
     * now, or Governor's API key), that the payload is of the type that signer may sign, that it
     * names the signer's loop, and that the loop is registered and active.
     */
    private Signed verified(JsonNode data, LoopSnapshot registry, OffsetDateTime now) throws MalformedProposalException {
        Envelope envelope;
        try {
            envelope = Envelope.parse(data);
        } catch (DsseException e) {
            throw new MalformedProposalException("not-envelope", e.getMessage());
        }
        Signer signer;
        try {
            signer = registry.verify(envelope, now);
        } catch (DsseException e) {
            String claimed = claimedLoop(envelope);
            if (claimed != null && registry.loop(claimed) == null) {
                throw new MalformedProposalException("unknown-loop", "loop \"" + claimed + "\" is not registered ("
                        + e.getMessage() + "); an admin registers a loop and its keys with POST /api/v1/loops");
            }
            throw new MalformedProposalException(e.code(), e.getMessage() + (e.code().equals("unsigned") ? SIGNING_HELP : ""));
        }
        JsonNode payload = readValue(envelope.payload(), "the envelope's payload is empty");
        ObjectNode proposal;
        String submitter;
        if (signer.kind() == Signer.Kind.LOOP_KEY) {
            if (!PROPOSAL_PAYLOAD_TYPE.equals(envelope.payloadType())) {
                throw new MalformedProposalException("bad-signature", "a loop's key signs payloads of type " + PROPOSAL_PAYLOAD_TYPE
                        + " only, not " + envelope.payloadType());
            }
            if (!payload.isObject()) {
                throw new MalformedProposalException("schema", "the signed payload must be the proposal's data object");
            }
            proposal = (ObjectNode) payload;
            String named = proposal.path("loopId").asText("");
            if (!named.equals(signer.loopId())) {
                throw new MalformedProposalException("bad-signature", "signed by key " + signer.keyId() + " of loop " + signer.loopId()
                        + ", but the proposal is for loop \"" + named + "\"; a loop signs only its own proposals");
            }
            submitter = "loop:" + signer.loopId();
        } else {
            if (!SUBMISSION_PAYLOAD_TYPE.equals(envelope.payloadType()) || !payload.isObject()
                    || !payload.path("proposal").isObject() || !payload.path("submitter").path("subject").isTextual()) {
                throw new MalformedProposalException("bad-signature", "Governor's API key signs submissions of type "
                        + SUBMISSION_PAYLOAD_TYPE + " with a submitter and a proposal only");
            }
            proposal = (ObjectNode) payload.get("proposal");
            submitter = payload.path("submitter").path("subject").asText();
        }
        String loopId = proposal.path("loopId").asText("");
        Loop loop = registry.loop(loopId);
        if (loop == null) {
            throw new MalformedProposalException("unknown-loop", "loop \"" + loopId + "\" is not registered; an admin registers "
                    + "a loop and its keys with POST /api/v1/loops");
        }
        if (!loop.active()) {
            throw new MalformedProposalException("loop-disabled", "loop " + loopId + " is disabled in the registry");
        }
        Envelope.Signature signature = signer.signature();
        return new Signed(proposal, submitter, new Proposal.Provenance(
                signer.kind() == Signer.Kind.LOOP_KEY ? "loop-key" : "governor-api", signer.keyId(),
                Base64.getEncoder().encodeToString(signature.sig()), envelope.payloadType(), CanonicalJson.sha256Hex(envelope.payload()),
                data.toString()));
    }

    /** The loop a payload names, read leniently, only to say why its signature was refused; null if none. */
    private String claimedLoop(Envelope envelope) {
        try {
            JsonNode payload = mapper.readTree(envelope.payload());
            JsonNode loop = payload.has("proposal") ? payload.path("proposal").get("loopId") : payload.get("loopId");
            return loop != null && loop.isTextual() ? loop.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String strictUtf8(byte[] bytes, String code, String whenInvalid) throws MalformedProposalException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedProposalException(code, whenInvalid);
        }
    }

    private static String requiredString(JsonNode root, String attribute) throws MalformedProposalException {
        JsonNode node = root.get(attribute);
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw new MalformedProposalException("not-cloudevent",
                    "CloudEvent attribute \"" + attribute + "\" must be a non-empty string");
        }
        return node.asText();
    }

    private static void checkUriReference(String source) throws MalformedProposalException {
        try {
            new URI(source);
        } catch (URISyntaxException e) {
            throw new MalformedProposalException("not-cloudevent", "source is not a URI-reference: " + e.getMessage());
        }
    }

    private static OffsetDateTime optionalTime(JsonNode root) throws MalformedProposalException {
        JsonNode time = root.get("time");
        if (time == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(time.asText());
        } catch (DateTimeParseException e) {
            throw new MalformedProposalException("not-cloudevent", "time is not an RFC 3339 timestamp: " + time.asText());
        }
    }

    private JsonSchema loadSchema() {
        try (InputStream in = resource()) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource() {
        InputStream in = ProposalParser.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE);
        if (in == null) {
            throw new IllegalStateException("The proposal schema " + SCHEMA_RESOURCE + " is missing from the classpath");
        }
        return in;
    }
}
