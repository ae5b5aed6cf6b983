package dev.governor.controlplane.killswitch;

import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.config.KeyFiles;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.CachingStateVerifier;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.state.StateVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;

/**
 * The Ed25519 key that signs kill-switch states, kept apart from the audit key so that neither
 * signature can be mistaken for the other. The operator provides it; only the embedded run and
 * the tests generate one (demo only), kept in the data directory. Loops' guards verify with the
 * public key published at {@code GET /api/v1/killswitch/verifier-key}.
 */
@ApplicationScoped
public class KillSwitchKeys {

    private static final Logger LOG = Logger.getLogger(KillSwitchKeys.class);

    private final StateSigner signer;
    private final StateVerifier verifier;
    private final PublicKey publicKey;

    public KillSwitchKeys(GovernorConfig config) {
        GovernorConfig.KillSwitch ks = config.killswitch();
        String pkcs8 = ks.signingKey().filter(k -> !k.isBlank())
                .or(() -> ks.signingKeyFile().filter(f -> !f.isBlank()).map(f -> KeyFiles.read(Path.of(f), "kill-switch signing key")))
                .orElseGet(() -> {
                    if (!ks.generateKey()) {
                        throw new IllegalStateException("No kill-switch signing key: set GOVERNOR_KILLSWITCH_SIGNING_KEY or "
                                + "GOVERNOR_KILLSWITCH_SIGNING_KEY_FILE to the base64 PKCS#8 encoding of an Ed25519 private key "
                                + "(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)");
                    }
                    return KeyFiles.readOrGenerate(Path.of(config.dataDir()).resolve("killswitch-signing.key"),
                            "kill-switch signing key", KillSwitchKeys::generateKey);
                });
        PrivateKey privateKey = Ed25519Keys.privateKey(Base64.getDecoder().decode(pkcs8.strip()));
        this.publicKey = publicKeyOf(privateKey);
        this.signer = new Ed25519StateSigner(privateKey);
        // States change a few times a day but are checked on every decision, promotion and read:
        // a valid signature over the same bytes is verified once (per-proposal verification was 69 % of intake's CPU).
        this.verifier = new CachingStateVerifier(new Ed25519StateVerifier(publicKey), 64);
        LOG.infof("Kill-switch states are signed; verifier key (X.509, base64) %s", verifierKey());
    }

    public StateSigner signer() {
        return signer;
    }

    public StateVerifier verifier() {
        return verifier;
    }

    /** The public key, base64 of its X.509 encoding, as {@code Ed25519Keys.publicKey} reads it. */
    public String verifierKey() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** Generates a key pair and returns the private key's base64 PKCS#8 encoding (demo and tests only). */
    private static String generateKey() {
        KeyPair pair = Ed25519Keys.generate();
        return Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
    }

    /** The JDK has no public-from-private derivation; regenerating the pair from the key's seed gives it. */
    static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed)) {
            throw new IllegalStateException("the kill-switch signing key is not an Ed25519 key");
        }
        byte[] seed = ed.getBytes().orElseThrow(() -> new IllegalStateException("the kill-switch key has no seed"));
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, bytes.length);
                }
            });
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 provider is required", e);
        }
    }
}
