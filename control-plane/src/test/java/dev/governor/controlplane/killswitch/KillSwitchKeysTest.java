package dev.governor.controlplane.killswitch;

import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.killswitch.state.Ed25519Keys;
import org.junit.jupiter.api.Test;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control plane derives the kill switch's public key from its private key with a copy of the
 * auditor's derivation (ADR 0013): both must give the key the JDK pairs with it, on the same seed.
 */
class KillSwitchKeysTest {

    private final SecureRandom random = new SecureRandom();

    @Test
    void theDerivedPublicKeyIsTheOneTheJdkPairsWithThePrivateKey() {
        for (int i = 0; i < 32; i++) {
            KeyPair pair = Ed25519Keys.generate();
            assertThat(KillSwitchKeys.publicKeyOf(pair.getPrivate()).getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        }
    }

    @Test
    void theControlPlanesCopyAndTheAuditorsDeriveTheSamePublicKeyFromTheSameSeed() throws Exception {
        for (int i = 0; i < 32; i++) {
            NoteSigner auditor = NoteSigner.generate("governor.test/keys", random);
            byte[] seed = lastKeyField(auditor.signerKey().substring("PRIVATE+KEY+".length()));
            byte[] auditorsPublic = lastKeyField(auditor.verifier().verifierKey());
            PrivateKey privateKey = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));

            PublicKey controlPlanes = KillSwitchKeys.publicKeyOf(privateKey);

            byte[] x509 = controlPlanes.getEncoded();
            assertThat(Arrays.copyOfRange(x509, x509.length - 32, x509.length)).isEqualTo(auditorsPublic);
            Signature sign = Signature.getInstance("Ed25519");
            sign.initSign(privateKey);
            sign.update(new byte[] {(byte) i});
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance("Ed25519");
            verify.initVerify(controlPlanes);
            verify.update(new byte[] {(byte) i});
            assertThat(verify.verify(signature)).isTrue();
        }
    }

    /** The 32 key bytes of {@code name+hash+base64(0x01 || key)} (base64 may itself hold '+'). */
    private static byte[] lastKeyField(String key) {
        byte[] decoded = Base64.getDecoder().decode(key.split("\\+", 3)[2]);
        assertThat(decoded).hasSize(33);
        assertThat(decoded[0]).isEqualTo((byte) 0x01);
        return Arrays.copyOfRange(decoded, 1, 33);
    }
}
