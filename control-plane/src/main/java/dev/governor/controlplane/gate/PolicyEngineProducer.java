package dev.governor.controlplane.gate;

import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.policies.OpaServerPolicyEngine;
import dev.governor.policies.PolicyEngine;
import dev.governor.policies.WasmPolicyEngine;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.URI;

/** Chooses the policy engine: the in-process OPA (wasm) engine, or an OPA server's REST API. */
public class PolicyEngineProducer {

    private static final Logger LOG = Logger.getLogger(PolicyEngineProducer.class);

    @Produces
    @Singleton
    @Startup
    ActivePolicyEngine engine(GovernorConfig config) {
        ActivePolicyEngine engine = switch (config.policy().engine()) {
            case "wasm" -> {
                WasmPolicyEngine wasm = WasmPolicyEngine.fromClasspath(poolSize());
                yield new ActivePolicyEngine(wasm, wasm.data(), true);
            }
            case "server" -> new ActivePolicyEngine(new OpaServerPolicyEngine(URI.create(config.policy().serverUrl()
                    .orElseThrow(() -> new IllegalStateException("governor.policy.engine=server needs governor.policy.server-url (GOVERNOR_OPA_URL)"))),
                    config.policy().serverTimeout()), null, false);
            default -> throw new IllegalStateException("governor.policy.engine must be wasm or server, not "
                    + config.policy().engine());
        };
        LOG.infof("Policy engine %s, bundle revision %s (as shipped)", engine.name(), engine.revision());
        return engine;
    }

    /** Concurrent evaluations per loaded bundle. */
    static int poolSize() {
        return Runtime.getRuntime().availableProcessors() * 2;
    }

    void close(@Disposes ActivePolicyEngine engine) {
        engine.close();
    }
}
