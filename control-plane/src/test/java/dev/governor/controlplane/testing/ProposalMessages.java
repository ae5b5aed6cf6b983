package dev.governor.controlplane.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.controlplane.proposal.ProposalParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Proposals for tests: well-formed ones the policy sends to review, and a corpus of malformed and hostile records. */
public final class ProposalMessages {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** On the policy bundle's evaluator allow-list (policies/data/evaluators.json). */
    public static final String PINNED_EVALUATOR = "sha256:4b1c6f0e3d2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c";

    private ProposalMessages() {
    }

    /** The {@code data} of a small code patch with a pinned evaluation that improves on its baseline. */
    public static ObjectNode data(String proposalId, String loopId) {
        ObjectNode data = MAPPER.createObjectNode();
        data.put("proposalId", proposalId);
        data.put("loopId", loopId);
        data.put("sourceSystem", "dgm");
        data.put("runId", "run-1");
        data.put("parentId", "node-0");
        data.put("generation", 1);
        data.putArray("lineage").addObject().put("id", "node-0").put("sha256", "a".repeat(64));
        data.put("kind", "code_patch");
        data.put("summary", "Adds a retry around the file-edit tool so that transient errors do not end the episode.");
        data.putObject("artifact")
                .put("sha256", "b".repeat(64))
                .put("uri", "s3://loops/dgm/patches/" + proposalId + ".diff")
                .put("inlineDiff", "--- a/src/agent/tools.py\n+++ b/src/agent/tools.py\n@@ -1 +1,2 @@\n import os\n+import retry\n");
        data.putArray("touchedPaths").add("src/agent/tools.py");
        data.putArray("evaluations").addObject()
                .put("benchmark", "swe-bench-verified").put("subset", "lite").put("metric", "resolved_rate")
                .put("value", 0.52).put("baseline", 0.50).put("n", 300).put("evaluatorDigest", PINNED_EVALUATOR);
        data.putArray("capabilityEvals").addObject().put("domain", "ai_rnd").put("eval", "re-bench").put("score", 0.2);
        data.putObject("costs").put("usd", 12.5);
        data.putObject("metadata").put("note", "test");
        return data;
    }

    /** A structured CloudEvent whose data is the proposal signed with its loop's test key (a DSSE envelope), as a loop sends it. */
    public static ObjectNode cloudEvent(ObjectNode data) {
        return signedEvent(data.path("loopId").asText(), data.path("proposalId").asText(), TestLoops.payload(data));
    }

    /** The DSSE envelope of a proposal's data, signed with its loop's test key. */
    public static ObjectNode envelope(ObjectNode data) {
        return envelope(data.path("loopId").asText(), TestLoops.payload(data));
    }

    public static ObjectNode envelope(String loopId, byte[] payload) {
        return TestLoops.signer(loopId).sign(ProposalParser.PROPOSAL_PAYLOAD_TYPE, payload).toJson(MAPPER);
    }

    /** A signed event whose payload is given as bytes, for payloads that are not (or not only) valid JSON. */
    public static ObjectNode signedEvent(String loopId, String proposalId, byte[] payload) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("specversion", "1.0");
        event.put("type", "dev.governor.proposal.v1");
        event.put("source", "urn:loop:" + loopId);
        event.put("id", proposalId);
        event.put("time", "2026-11-25T12:00:00Z");
        event.put("datacontenttype", Envelope.MEDIA_TYPE);
        event.set("data", envelope(loopId, payload));
        return event;
    }

    /** The event as loops sent it before proposals were signed: data in the clear, no signature. */
    public static ObjectNode unsignedCloudEvent(ObjectNode data) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("specversion", "1.0");
        event.put("type", "dev.governor.proposal.v1");
        event.put("source", "urn:loop:" + data.path("loopId").asText());
        event.put("id", data.path("proposalId").asText());
        event.put("time", "2026-11-25T12:00:00Z");
        event.put("datacontenttype", "application/json");
        event.set("data", data);
        return event;
    }

    public static byte[] bytes(ObjectNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A record that intake must refuse, with the reason code it must give. */
    public record Malformed(String name, String key, byte[] value, String expectedCode) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** At least 50 malformed and hostile records; {@code prefix} keeps their ids unique per run. */
    public static List<Malformed> malformedCorpus(String prefix) {
        List<Malformed> corpus = new ArrayList<>();
        int[] n = {0};
        java.util.function.Supplier<String> id = () -> prefix + "-bad-" + (n[0]++);

        String good = cloudEvent(data(id.get(), "loop-bad")).toString();
        for (int cut : new int[]{1, 10, good.length() / 3, good.length() / 2, good.length() - 1}) {
            corpus.add(new Malformed("truncated JSON at " + cut, null, good.substring(0, cut).getBytes(StandardCharsets.UTF_8), "not-json"));
        }
        corpus.add(new Malformed("empty value", null, new byte[0], "empty"));
        corpus.add(new Malformed("plain text", null, utf8("please promote me"), "not-json"));
        corpus.add(new Malformed("XML", null, utf8("<proposal id='x'/>"), "not-json"));
        corpus.add(new Malformed("control bytes", null, new byte[]{0x00, 0x01, 0x02, 0x7f, 0x10}, "not-json"));
        corpus.add(new Malformed("invalid UTF-8 continuation", null, concat(utf8("{\"specversion\":\"1.0\",\"x\":\""), new byte[]{(byte) 0xC3, 0x28}, utf8("\"}")), "invalid-utf8"));
        corpus.add(new Malformed("invalid UTF-8 0xFF", null, concat(utf8("{\"a\":\""), new byte[]{(byte) 0xFF}, utf8("\"}")), "invalid-utf8"));
        corpus.add(new Malformed("overlong UTF-8 slash", null, concat(utf8("{\"a\":\""), new byte[]{(byte) 0xC0, (byte) 0xAF}, utf8("\"}")), "invalid-utf8"));
        corpus.add(new Malformed("UTF-8 encoded surrogate", null, concat(utf8("{\"a\":\""), new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, utf8("\"}")), "invalid-utf8"));
        corpus.add(new Malformed("JSON array", null, utf8("[1,2,3]"), "not-cloudevent"));
        corpus.add(new Malformed("JSON number", null, utf8("42"), "not-cloudevent"));
        corpus.add(new Malformed("JSON string", null, utf8("\"proposal\""), "not-cloudevent"));
        corpus.add(new Malformed("JSON null", null, utf8("null"), "not-cloudevent"));
        corpus.add(new Malformed("trailing garbage", null, utf8(good + " trailing"), "not-json"));
        corpus.add(new Malformed("two documents", null, utf8(good + good), "not-json"));
        corpus.add(new Malformed("comment", null, utf8("/* hi */" + good), "not-json"));
        corpus.add(new Malformed("single quotes", null, utf8("{'specversion':'1.0'}"), "not-json"));
        corpus.add(payload("NaN literal", id.get(), t -> t.replace("\"score\":0.2", "\"score\":NaN"), "not-json"));
        corpus.add(payload("number of 100 digits", id.get(), t -> t.replace("\"score\":0.2", "\"score\":0." + "1".repeat(100)), "not-json"));

        String dupId = id.get();
        corpus.add(new Malformed("duplicate top-level key", null, utf8(cloudEvent(data(dupId, "loop-bad")).toString()
                .replaceFirst("\\{", "{\"id\":\"other\",")), "not-json"));
        corpus.add(payload("duplicate key in data", id.get(),
                t -> t.replace("\"loopId\":\"loop-bad\"", "\"loopId\":\"loop-bad\",\"loopId\":\"loop-evil\""), "not-json"));
        corpus.add(payload("duplicate key in artifact", id.get(),
                t -> t.replace("\"sha256\":\"" + "b".repeat(64) + "\"", "\"sha256\":\"" + "b".repeat(64) + "\",\"sha256\":\"" + "c".repeat(64) + "\""),
                "not-json"));
        corpus.add(payload("payload not UTF-8", id.get(), t -> t.replace("\"note\":\"test\"", "\"note\":\"\u00ff\""), "invalid-utf8", true));

        corpus.add(event("specversion missing", id.get(), e -> e.remove("specversion"), "not-cloudevent"));
        corpus.add(event("specversion 0.3", id.get(), e -> e.put("specversion", "0.3"), "unsupported-specversion"));
        corpus.add(event("specversion 2.0", id.get(), e -> e.put("specversion", "2.0"), "unsupported-specversion"));
        corpus.add(event("specversion as number", id.get(), e -> e.put("specversion", 1.0), "not-cloudevent"));
        corpus.add(event("type missing", id.get(), e -> e.remove("type"), "not-cloudevent"));
        corpus.add(event("type of another event", id.get(), e -> e.put("type", "dev.governor.promotion.v1"), "unsupported-type"));
        corpus.add(event("id missing", id.get(), e -> e.remove("id"), "not-cloudevent"));
        corpus.add(event("id as number", id.get(), e -> e.put("id", 7), "not-cloudevent"));
        corpus.add(event("id differs from proposalId", id.get(), e -> e.put("id", "someone-else"), "id-mismatch"));
        corpus.add(event("source missing", id.get(), e -> e.remove("source"), "not-cloudevent"));
        corpus.add(event("source not a URI", id.get(), e -> e.put("source", "ht tp://bad uri"), "not-cloudevent"));
        corpus.add(event("data missing", id.get(), e -> e.remove("data"), "not-cloudevent"));
        corpus.add(event("data as string", id.get(), e -> e.put("data", "{}"), "not-cloudevent"));
        corpus.add(event("data as array", id.get(), e -> e.putArray("data"), "not-cloudevent"));
        corpus.add(event("data_base64", id.get(), e -> e.put("data_base64", "e30="), "not-cloudevent"));
        corpus.add(event("datacontenttype text/plain", id.get(), e -> e.put("datacontenttype", "text/plain"), "not-cloudevent"));
        corpus.add(event("time not RFC 3339", id.get(), e -> e.put("time", "yesterday"), "not-cloudevent"));

        corpus.add(data("schema: proposalId missing", id.get(), d -> d.remove("proposalId")));
        corpus.add(data("schema: kind unknown", id.get(), d -> d.put("kind", "weights_exfiltration")));
        corpus.add(data("schema: sourceSystem unknown", id.get(), d -> d.put("sourceSystem", "skynet")));
        corpus.add(data("schema: artifact digest not hex", id.get(), d -> ((ObjectNode) d.get("artifact")).put("sha256", "xyz")));
        corpus.add(data("schema: artifact missing", id.get(), d -> d.remove("artifact")));
        corpus.add(data("schema: touchedPaths not an array", id.get(), d -> d.put("touchedPaths", "src/a.py")));
        corpus.add(data("schema: evaluation value as string", id.get(),
                d -> ((ObjectNode) d.get("evaluations").get(0)).put("value", "0.9")));
        corpus.add(data("schema: capability domain unknown", id.get(),
                d -> ((ObjectNode) d.get("capabilityEvals").get(0)).put("domain", "omniscience")));
        corpus.add(data("schema: negative generation", id.get(), d -> d.put("generation", -1)));
        corpus.add(data("schema: unknown top-level field", id.get(), d -> d.put("approvedBy", "alice")));
        corpus.add(data("schema: empty summary", id.get(), d -> d.put("summary", "")));
        corpus.add(data("schema: summary of 100 000 characters", id.get(), d -> d.put("summary", "x".repeat(100_000))));
        corpus.add(data("schema: summary as object", id.get(), d -> d.putObject("summary")));
        corpus.add(data("schema: lineage entry without digest", id.get(), d -> ((ObjectNode) d.get("lineage").get(0)).remove("sha256")));
        corpus.add(data("schema: proposal id with spaces", null, d -> {
            d.put("proposalId", "has spaces " + n[0]++);
        }));

        String nested = "{\"a\":".repeat(1000) + "1" + "}".repeat(1000);
        corpus.add(payload("nesting 1000 deep", id.get(), t -> t.replace("{\"note\":\"test\"}", nested), "not-json"));
        String nestedEvent = id.get();
        corpus.add(new Malformed("event nesting 1000 deep", null,
                utf8(cloudEvent(data(nestedEvent, "loop-bad")).put("x", "").toString().replace("\"x\":\"\"", "\"x\":" + nested)), "not-json"));

        // Who sent it: no message attribute establishes it, only a registered key's signature.
        String unsignedId = id.get();
        corpus.add(new Malformed("unsigned proposal", null, bytes(unsignedCloudEvent(data(unsignedId, "loop-bad"))), "unsigned"));
        String claimedId = id.get();
        corpus.add(new Malformed("unsigned with governorsubmitter", null,
                bytes(unsignedCloudEvent(data(claimedId, "loop-bad")).put("governorsubmitter", "bob")), "unsigned"));
        String noSigId = id.get();
        ObjectNode noSignatures = cloudEvent(data(noSigId, "loop-bad"));
        ((ObjectNode) noSignatures.get("data")).putArray("signatures");
        corpus.add(new Malformed("envelope without signatures", null, bytes(noSignatures), "unsigned"));
        String strangerId = id.get();
        ObjectNode stranger = cloudEvent(data(strangerId, "loop-bad"));
        stranger.set("data", TestLoops.signer("stranger-key").sign(ProposalParser.PROPOSAL_PAYLOAD_TYPE, TestLoops.payload(data(strangerId, "loop-bad"))).toJson(MAPPER));
        corpus.add(new Malformed("signed by an unregistered key", null, bytes(stranger), "bad-signature"));
        String otherLoopId = id.get();
        ObjectNode otherLoop = cloudEvent(data(otherLoopId, "loop-bad"));
        otherLoop.set("data", envelope("loop-bad-other", TestLoops.payload(data(otherLoopId, "loop-bad"))));
        corpus.add(new Malformed("signed by another loop's key", null, bytes(otherLoop), "bad-signature"));
        String editedId = id.get();
        ObjectNode edited = cloudEvent(data(editedId, "loop-bad"));
        ObjectNode tampered = data(editedId, "loop-bad");
        tampered.put("summary", "Something else entirely, after signing.");
        ((ObjectNode) edited.get("data")).put("payload", java.util.Base64.getEncoder().encodeToString(TestLoops.payload(tampered)));
        corpus.add(new Malformed("payload changed after signing", null, bytes(edited), "bad-signature"));
        String typeId = id.get();
        ObjectNode retyped = cloudEvent(data(typeId, "loop-bad"));
        retyped.set("data", TestLoops.signer("loop-bad").sign(ProposalParser.SUBMISSION_PAYLOAD_TYPE, TestLoops.payload(data(typeId, "loop-bad"))).toJson(MAPPER));
        corpus.add(new Malformed("loop key signing a submission", null, bytes(retyped), "bad-signature"));
        String unknownId = id.get();
        corpus.add(new Malformed("loop not registered", null, bytes(cloudEvent(data(unknownId, "loop-never-registered"))), "unknown-loop"));
        String envId = id.get();
        ObjectNode notEnvelope = cloudEvent(data(envId, "loop-bad"));
        ((ObjectNode) notEnvelope.get("data")).put("extra", true);
        corpus.add(new Malformed("envelope with an unknown field", null, bytes(notEnvelope), "not-envelope"));

        String hugeId = id.get();
        ObjectNode hugeData = data(hugeId, "loop-bad");
        ((ObjectNode) hugeData.get("metadata")).put("padding", "x".repeat(1_100_000));
        corpus.add(new Malformed("over 1 MiB", hugeId, bytes(cloudEvent(hugeData)), "too-large"));

        String diffId = id.get();
        ObjectNode bigDiff = data(diffId, "loop-bad");
        ((ObjectNode) bigDiff.get("artifact")).put("inlineDiff", "+" + "y".repeat(300_000));
        corpus.add(new Malformed("inline diff over 256 KiB", diffId, bytes(cloudEvent(bigDiff)), "diff-too-large"));

        String keyId = id.get();
        corpus.add(new Malformed("record key names another proposal", "not-" + keyId, bytes(cloudEvent(data(keyId, "loop-bad"))), "key-mismatch"));
        return corpus;
    }

    /** A signed proposal whose payload text was changed before signing: the payload gets the record's checks. */
    private static Malformed payload(String name, String proposalId, java.util.function.UnaryOperator<String> change, String code) {
        return payload(name, proposalId, change, code, false);
    }

    private static Malformed payload(String name, String proposalId, java.util.function.UnaryOperator<String> change, String code,
                                     boolean latin1) {
        String text = change.apply(data(proposalId, "loop-bad").toString());
        byte[] payload = latin1 ? text.getBytes(StandardCharsets.ISO_8859_1) : utf8(text);
        return new Malformed(name, null, bytes(signedEvent("loop-bad", proposalId, payload)), code);
    }

    private static Malformed event(String name, String proposalId, java.util.function.Consumer<ObjectNode> change, String code) {
        ObjectNode event = cloudEvent(data(proposalId, "loop-bad"));
        change.accept(event);
        return new Malformed(name, null, bytes(event), code);
    }

    private static Malformed data(String name, String proposalId, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode data = data(proposalId == null ? "placeholder" : proposalId, "loop-bad");
        change.accept(data);
        ObjectNode event = cloudEvent(data);
        event.put("id", data.path("proposalId").asText(proposalId == null ? "placeholder" : proposalId));
        return new Malformed(name, null, bytes(event), "schema");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
