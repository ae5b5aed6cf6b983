package dev.governor.auditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.dsse.Envelope;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Signs a proposal as its loop does (ADR 0017), for sending by hand with Kafka's console
 * producer: reads a proposal's data object, or a structured CloudEvent whose data is one, from
 * standard input (or a file), and writes one line: the structured CloudEvent whose data is the
 * DSSE envelope of the data, signed with the loop's Ed25519 key.
 *
 * <pre>
 * java -cp governor-auditor.jar dev.governor.auditor.cli.SignProposal --key-file demo-loop-dgm-swe-7.key [file]
 * </pre>
 * The key file holds base64 of the key's 32-byte seed. Exit codes: 0 signed, 2 usage error or
 * unreadable input. The payload types repeat the control plane's (ADR 0013).
 */
public final class SignProposal {

    static final String PROPOSAL_PAYLOAD_TYPE = "application/vnd.governor.proposal.v1+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SignProposal() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path keyFile = null;
        Path input = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--key-file") && i + 1 < args.length) {
                keyFile = Path.of(args[++i]);
            } else if (!args[i].startsWith("--") && input == null) {
                input = Path.of(args[i]);
            } else {
                keyFile = null;
                break;
            }
        }
        if (keyFile == null) {
            err.println("usage: SignProposal --key-file <file with base64 Ed25519 seed> [proposal.json]  (reads standard input without a file)");
            return 2;
        }
        try {
            Ed25519Signer signer = Ed25519Signer.fromBase64Seed(Files.readString(keyFile, StandardCharsets.UTF_8));
            byte[] text = input == null ? System.in.readAllBytes() : Files.readAllBytes(input);
            JsonNode root = MAPPER.readTree(text);
            if (root == null || !root.isObject()) {
                err.println("the input must be a proposal's data object or a structured CloudEvent holding one");
                return 2;
            }
            ObjectNode event = event((ObjectNode) root);
            String loopId = event.path("data").path("loopId").asText("?");
            byte[] payload = MAPPER.writeValueAsBytes(event.get("data"));
            Envelope envelope = signer.sign(PROPOSAL_PAYLOAD_TYPE, payload);
            event.put("datacontenttype", Envelope.MEDIA_TYPE);
            event.set("data", envelope.toJson(MAPPER));
            out.println(MAPPER.writeValueAsString(event));
            err.println("signed proposal " + event.path("id").asText() + " of loop " + loopId
                    + " with key " + signer.keyId());
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("could not sign: " + e.getMessage());
            return 2;
        }
    }

    /** The CloudEvent to sign the data of: the input itself, or a new one around a bare data object. */
    private static ObjectNode event(ObjectNode root) {
        if (root.has("specversion")) {
            return root;
        }
        ObjectNode event = MAPPER.createObjectNode();
        event.put("specversion", "1.0");
        event.put("type", "dev.governor.proposal.v1");
        event.put("source", "urn:loop:" + root.path("loopId").asText());
        event.put("id", root.path("proposalId").asText());
        event.put("time", OffsetDateTime.now(ZoneOffset.UTC).toString());
        event.set("data", root);
        return event;
    }
}
