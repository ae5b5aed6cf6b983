package dev.governor.controlplane.audit;

import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.config.KeyFiles;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The Ed25519 key that signs the log's checkpoints. The operator provides it (environment or
 * file); only the embedded run and the tests generate one, kept in the data directory.
 */
@ApplicationScoped
public class AuditKeys {

    private static final Logger LOG = Logger.getLogger(AuditKeys.class);

    private final CheckpointSigner signer;
    private final CheckpointVerifier verifier;

    public AuditKeys(GovernorConfig config) {
        GovernorConfig.Audit audit = config.audit();
        NoteSigner note = audit.signingKey().map(NoteSigner::fromKey)
                .or(() -> audit.signingKeyFile().map(f -> NoteSigner.fromKey(KeyFiles.read(Path.of(f), "audit signing key"))))
                .orElseGet(() -> {
                    if (!audit.generateKey()) {
                        throw new IllegalStateException("No audit signing key: set GOVERNOR_AUDIT_SIGNING_KEY or "
                                + "GOVERNOR_AUDIT_SIGNING_KEY_FILE to a C2SP signer key (PRIVATE+KEY+" + audit.origin() + "+...)");
                    }
                    return NoteSigner.fromKey(KeyFiles.readOrGenerate(Path.of(config.dataDir()).resolve("audit-signing.key"),
                            "audit signing key", () -> NoteSigner.generate(audit.origin(), new SecureRandom()).signerKey()));
                });
        if (!note.name().equals(audit.origin())) {
            LOG.warnf("The audit signing key is named %s but the log's origin is %s; verifiers will see both names",
                    note.name(), audit.origin());
        }
        this.signer = new CheckpointSigner(audit.origin(), note);
        this.verifier = new CheckpointVerifier(audit.origin(), note.verifier());
        LOG.infof("Audit checkpoints are signed for origin %s; verifier key %s", audit.origin(), verifierKey());
    }

    public CheckpointSigner signer() {
        return signer;
    }

    public CheckpointVerifier verifier() {
        return verifier;
    }

    public String origin() {
        return signer.origin();
    }

    /** The public verifier key in signed-note encoding, for regulators and the offline verifier. */
    public String verifierKey() {
        return signer.verifier().verifierKey();
    }
}
