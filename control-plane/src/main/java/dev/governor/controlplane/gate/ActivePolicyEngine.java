package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.policies.PolicyEngine;
import dev.governor.policies.PolicyEvaluation;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine decisions go through, whose bundle can be replaced while Governor runs. Each
 * evaluation uses one bundle from start to end and reports that bundle's revision; a replaced
 * engine is closed only after a grace period, so evaluations under way finish on it.
 */
public final class ActivePolicyEngine implements PolicyEngine {

    private static final Logger LOG = Logger.getLogger(ActivePolicyEngine.class);
    private static final long GRACE_SECONDS = 30;

    /** An engine with the data document it evaluates with (for the API; null when an OPA server holds it). */
    record Loaded(PolicyEngine engine, JsonNode data) {
    }

    private final boolean replaceable;
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "governor-policy-engine-closer");
        t.setDaemon(true);
        return t;
    });
    private volatile Loaded current;

    ActivePolicyEngine(PolicyEngine engine, JsonNode data, boolean replaceable) {
        this.current = new Loaded(engine, data);
        this.replaceable = replaceable;
    }

    /** False for an OPA server, which loads its bundles itself. */
    public boolean replaceable() {
        return replaceable;
    }

    /** The data document of the bundle in force, or null when the engine is an OPA server. */
    public JsonNode data() {
        return current.data();
    }

    /** Puts {@code next} into force for every evaluation that starts from now on. */
    synchronized void replace(PolicyEngine next, JsonNode data) {
        if (!replaceable) {
            throw new IllegalStateException("the " + current.engine().name() + " engine's bundle is not Governor's to replace");
        }
        Loaded previous = current;
        current = new Loaded(next, data);
        closer.schedule(() -> previous.engine().close(), GRACE_SECONDS, TimeUnit.SECONDS);
        LOG.infof("Policy revision %s replaces %s for new decisions", next.revision(), previous.engine().revision());
    }

    @Override
    public PolicyEvaluation evaluate(JsonNode input) {
        return current.engine().evaluate(input);
    }

    @Override
    public String revision() {
        return current.engine().revision();
    }

    @Override
    public String name() {
        return current.engine().name();
    }

    @Override
    public void close() {
        closer.shutdownNow();
        current.engine().close();
    }
}
