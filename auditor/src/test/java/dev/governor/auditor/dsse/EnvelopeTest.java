package dev.governor.auditor.dsse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** RFC 8032 §7.1, test 1. */
    private static final byte[] SEED = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static final String PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    @Test
    void paeIsTheProtocolsExample() {
        // The example of the DSSE protocol document (protocol.md).
        assertThat(new String(Envelope.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    @Test
    void paeCountsBytesNotCharacters() {
        assertThat(new String(Envelope.pae("t/é", "ü".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("DSSEv1 4 t/é 2 ü");
    }

    @Test
    void signatureMatchesAnIndependentImplementation() {
        // Ed25519 is deterministic: this signature of the example's PAE with the RFC 8032 key was
        // made with Python's `cryptography` (Ed25519PrivateKey.from_private_bytes(seed).sign(pae)).
        String python = "4DHX3Zn4qpBKvEj7maE8O9u9bjXEnPLLnyXVUJ2PXJR8DSLcL3QDpFvfJOj3pB/SPHsl6Jg4boxsMb6KvuYABw==";
        Ed25519Signer signer = new Ed25519Signer(SEED);
        assertThat(HexFormat.of().formatHex(signer.publicKey())).isEqualTo(PUBLIC);
        assertThat(signer.keyId()).isEqualTo("21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9");
        Envelope envelope = signer.sign("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));
        assertThat(Base64.getEncoder().encodeToString(envelope.signatures().get(0).sig())).isEqualTo(python);
        assertThat(signer.verifier().find(envelope)).isNotNull();
    }

    @Test
    void roundTripsThroughJson() throws Exception {
        Ed25519Signer signer = Ed25519Signer.generate(new SecureRandom());
        Envelope envelope = signer.sign("application/vnd.test+json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        Envelope read = Envelope.parse(MAPPER.readTree(envelope.toJson(MAPPER).toString()));
        assertThat(read.payloadType()).isEqualTo("application/vnd.test+json");
        assertThat(read.payload()).isEqualTo(envelope.payload());
        assertThat(signer.verifier().find(read)).isNotNull();
    }

    @Test
    void aChangedTypePayloadOrSignatureDoesNotVerify() {
        Ed25519Signer signer = Ed25519Signer.generate(new SecureRandom());
        Envelope envelope = signer.sign("application/vnd.a+json", "{}".getBytes(StandardCharsets.UTF_8));
        Ed25519Verifier verifier = signer.verifier();
        assertThat(verifier.find(new Envelope("application/vnd.b+json", envelope.payload(), envelope.signatures()))).isNull();
        assertThat(verifier.find(new Envelope(envelope.payloadType(), "{ }".getBytes(StandardCharsets.UTF_8), envelope.signatures()))).isNull();
        byte[] sig = envelope.signatures().get(0).sig().clone();
        sig[5] ^= 1;
        assertThat(verifier.find(new Envelope(envelope.payloadType(), envelope.payload(), List.of(new Envelope.Signature(signer.keyId(), sig))))).isNull();
        assertThat(Ed25519Signer.generate(new SecureRandom()).verifier().find(envelope)).isNull();
    }

    @Test
    void aSignatureNamingAnotherKeyIdIsNotTakenAsThisKeys() {
        Ed25519Signer signer = Ed25519Signer.generate(new SecureRandom());
        Envelope envelope = signer.sign("t", new byte[]{1});
        Envelope renamed = new Envelope("t", envelope.payload(), List.of(new Envelope.Signature("other", envelope.signatures().get(0).sig())));
        assertThat(signer.verifier().find(renamed)).isNull();
        Envelope anonymous = new Envelope("t", envelope.payload(), List.of(new Envelope.Signature("", envelope.signatures().get(0).sig())));
        assertThat(signer.verifier().find(anonymous)).isNotNull();
    }

    @Test
    void malformedEnvelopesAreRefusedWithAReason() throws Exception {
        ObjectNode good = Ed25519Signer.generate(new SecureRandom()).sign("t", new byte[]{1, 2}).toJson(MAPPER);
        assertThatThrownBy(() -> Envelope.parse(MAPPER.readTree("[]"))).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> Envelope.parse(good.deepCopy().put("extra", 1))).hasMessageContaining("unknown field \"extra\"");
        assertThatThrownBy(() -> Envelope.parse(good.deepCopy().put("payload", "%%%"))).hasMessageContaining("payload is not base64");
        assertThatThrownBy(() -> Envelope.parse(good.deepCopy().put("payloadType", ""))).hasMessageContaining("payloadType");
        assertThatThrownBy(() -> Envelope.parse(good.deepCopy().put("signatures", "x"))).hasMessageContaining("signatures must be an array");
        ObjectNode badSig = good.deepCopy();
        ((ObjectNode) badSig.get("signatures").get(0)).put("sig", 7);
        assertThatThrownBy(() -> Envelope.parse(badSig)).isInstanceOf(DsseException.class).hasMessageContaining("sig");
    }

    @Test
    void urlSafeBase64IsRead() throws Exception {
        Ed25519Signer signer = Ed25519Signer.generate(new SecureRandom());
        byte[] payload = {(byte) 0xfb, (byte) 0xff, (byte) 0xfe};
        Envelope envelope = signer.sign("t", payload);
        ObjectNode json = envelope.toJson(MAPPER);
        json.put("payload", Base64.getUrlEncoder().encodeToString(payload));
        assertThat(Envelope.parse(json).payload()).isEqualTo(payload);
    }
}
