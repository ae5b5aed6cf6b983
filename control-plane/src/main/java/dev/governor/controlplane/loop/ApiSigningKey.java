package dev.governor.controlplane.loop;

import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.config.KeyFiles;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The Ed25519 key with which the API signs the proposals it publishes on behalf of an
 * authenticated submitter (ADR 0017). Intake takes a submission envelope, and the submitter it
 * names, only with this key's signature. The operator provides it; the embedded run and the tests
 * generate one into the data directory. Read at start, so that a missing key stops the start.
 */
@ApplicationScoped
@Startup
public class ApiSigningKey {

    private static final Logger LOG = Logger.getLogger(ApiSigningKey.class);

    private final Ed25519Signer signer;

    public ApiSigningKey(GovernorConfig config) {
        GovernorConfig.Loops loops = config.loops();
        String seed = loops.apiSigningKey()
                .or(() -> loops.apiSigningKeyFile().map(f -> KeyFiles.read(Path.of(f), "API signing key")))
                .orElseGet(() -> {
                    if (!loops.generateKey()) {
                        throw new IllegalStateException("No API signing key: set GOVERNOR_LOOPS_API_SIGNING_KEY or "
                                + "GOVERNOR_LOOPS_API_SIGNING_KEY_FILE to base64 of a 32-byte Ed25519 seed (e.g. head -c 32 /dev/urandom | base64)");
                    }
                    return KeyFiles.readOrGenerate(Path.of(config.dataDir()).resolve("api-signing.key"), "API signing key",
                            () -> Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)));
                });
        this.signer = Ed25519Signer.fromBase64Seed(seed);
        LOG.infof("Proposals submitted over HTTP are signed with Governor's API key %s", signer.keyId());
    }

    public Ed25519Signer signer() {
        return signer;
    }
}
