package dev.governor.controlplane.audit;

import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.controlplane.config.GovernorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
                .or(() -> audit.signingKeyFile().map(f -> NoteSigner.fromKey(read(Path.of(f)))))
                .orElseGet(() -> {
                    if (!audit.generateKey()) {
                        throw new IllegalStateException("No audit signing key: set GOVERNOR_AUDIT_SIGNING_KEY or "
                                + "GOVERNOR_AUDIT_SIGNING_KEY_FILE to a C2SP signer key (PRIVATE+KEY+" + audit.origin() + "+...)");
                    }
                    return generated(Path.of(config.dataDir()).resolve("audit-signing.key"), audit.origin());
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

    private static NoteSigner generated(Path file, String origin) {
        try {
            if (Files.exists(file)) {
                return NoteSigner.fromKey(read(file));
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            NoteSigner signer = NoteSigner.generate(origin, new SecureRandom());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, signer.signerKey() + "\n", StandardCharsets.UTF_8);
            LOG.infof("Generated an audit signing key in %s (demo and tests only)", file.toAbsolutePath());
            return signer;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not keep the audit signing key in " + file, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the audit signing key from " + file, e);
        }
    }
}
