package dev.governor.controlplane.promotion;

import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.promotion.PromotionVerifier;
import dev.governor.controlplane.audit.AuditKeys;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.config.KeyFiles;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The Ed25519 key that signs promotion attestations, its own key as ADR 0006 asks (one key per
 * kind of statement). The operator provides it; only the embedded run and the tests generate one
 * (demo only, marked so at {@code GET /api/v1/promotions/key}). Deployers verify with the public key.
 */
@ApplicationScoped
public class PromotionKeys {

    private static final Logger LOG = Logger.getLogger(PromotionKeys.class);

    private final Ed25519Signer signer;
    private final PromotionVerifier verifier;
    private final boolean demoOnly;

    public PromotionKeys(GovernorConfig config, AuditKeys auditKeys) {
        GovernorConfig.Promotion promotion = config.promotion();
        String configured = promotion.signingKey().filter(k -> !k.isBlank())
                .or(() -> promotion.signingKeyFile().filter(f -> !f.isBlank())
                        .map(f -> KeyFiles.read(Path.of(f), "promotion signing key")))
                .orElse(null);
        if (configured == null && !promotion.generateKey()) {
            throw new IllegalStateException("No promotion signing key: set GOVERNOR_PROMOTION_SIGNING_KEY or "
                    + "GOVERNOR_PROMOTION_SIGNING_KEY_FILE to the base64 PKCS#8 encoding of an Ed25519 private key "
                    + "(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)");
        }
        this.demoOnly = configured == null;
        String pkcs8 = configured != null ? configured : KeyFiles.readOrGenerate(
                Path.of(config.dataDir()).resolve("promotion-signing.key"), "promotion signing key", PromotionKeys::generate);
        this.signer = new Ed25519Signer(seedOf(pkcs8));
        this.verifier = new PromotionVerifier(signer.verifier(), auditKeys.verifier());
        if (demoOnly) {
            LOG.warnf("Promotion attestations are signed with a GENERATED key (demo and tests only), key id %s", signer.keyId());
        } else {
            LOG.infof("Promotion attestations are signed; key id %s", signer.keyId());
        }
    }

    public Ed25519Signer signer() {
        return signer;
    }

    /** Governor's own check of records on the topic: its key, and its log's checkpoint key. */
    public PromotionVerifier verifier() {
        return verifier;
    }

    /** Whether the key was generated here rather than provided by the operator. */
    public boolean demoOnly() {
        return demoOnly;
    }

    /** The 32-byte seed of a base64 PKCS#8 Ed25519 private key. */
    static byte[] seedOf(String pkcs8) {
        try {
            var key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8.strip())));
            return ((EdECPrivateKey) key).getBytes()
                    .orElseThrow(() -> new IllegalStateException("the promotion signing key has no seed"));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("The promotion signing key is not a base64 PKCS#8 Ed25519 private key: " + e.getMessage(), e);
        }
    }

    private static String generate() {
        try {
            return Base64.getEncoder().encodeToString(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 provider is required", e);
        }
    }
}
