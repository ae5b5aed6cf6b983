package dev.governor.controlplane.demo;

import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.config.KeyFiles;
import dev.governor.controlplane.loop.LoopRegistry;
import dev.governor.controlplane.security.Actor;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The embedded run registers the loops of its example proposals, with loop-agent as their
 * submitter, and gives each a signing key generated into the data directory
 * ({@code demo-loop-<loopId>.key}, base64 of the seed; demo only), so that a newcomer can sign a
 * proposal by hand ({@code scripts/sign-proposal}) and send it straight to Kafka. Registered as
 * any admin registers a loop, audited, by the embedded run itself. Off everywhere but the embedded
 * profile.
 */
@ApplicationScoped
public class DemoLoops {

    private static final Logger LOG = Logger.getLogger(DemoLoops.class);
    static final Actor EMBEDDED = new Actor("system:governor-embedded-demo", "embedded demo");
    /** The loops of demo/proposals.json and docs/examples, with their source systems. */
    static final List<List<String>> LOOPS = List.of(List.of("dgm-swe-7", "dgm"), List.of("openevolve-kernels", "openevolve"),
            List.of("ai-scientist-3", "ai-scientist"));

    private final GovernorConfig config;
    private final LoopRegistry registry;

    public DemoLoops(GovernorConfig config, LoopRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /** Before the example proposals are published (they need their loops). */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (!config.embedded().demoProposals()) {
            return;
        }
        for (List<String> loop : LOOPS) {
            String loopId = loop.get(0);
            Path keyFile = Path.of(config.dataDir()).resolve("demo-loop-" + loopId + ".key");
            Ed25519Signer signer = Ed25519Signer.fromBase64Seed(KeyFiles.readOrGenerate(keyFile, "demo signing key of loop " + loopId,
                    () -> Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32))));
            if (registry.find(loopId) != null) {
                continue;
            }
            registry.register(new LoopRegistry.Registration(loopId, loop.get(1), "demo loop (embedded run)", List.of(),
                    List.of("loop-agent"), null, List.of(new LoopRegistry.NewKey(signer.publicKeyBase64(), null, null))), EMBEDDED);
            LOG.infof("Registered demo loop %s (submitter loop-agent; signing key %s in %s, demo only)", loopId, signer.keyId(), keyFile);
        }
    }
}
