package dev.governor.controlplane.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.api.ProposalService;
import dev.governor.controlplane.security.Actor;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The embedded run's first start publishes a few example proposals (resource demo/proposals.json,
 * each marked DEMO) so that a newcomer's console has something to review: one standard, one
 * elevated by an AI R&D alert-level score, one the policy denies. They go through Kafka and the
 * gate like any loop's proposal, submitted as loop-agent. Off everywhere but the embedded profile.
 */
@ApplicationScoped
public class DemoProposals {

    private static final Logger LOG = Logger.getLogger(DemoProposals.class);
    static final Actor LOOP_AGENT = new Actor("loop-agent", "loop-agent");

    private final GovernorConfig config;
    private final ProposalRepository proposals;
    private final ProposalService service;
    private final ObjectMapper mapper;

    public DemoProposals(GovernorConfig config, ProposalRepository proposals, ProposalService service, ObjectMapper mapper) {
        this.config = config;
        this.proposals = proposals;
        this.service = service;
        this.mapper = mapper;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.embedded().demoProposals() || proposals.count() > 0) {
            return;
        }
        try (InputStream in = DemoProposals.class.getResourceAsStream("/demo/proposals.json")) {
            JsonNode examples = mapper.readTree(in);
            for (JsonNode example : examples) {
                // Same ids and content at every attempt: a repeat is a duplicate, which intake ignores.
                service.submit(mapper.writeValueAsString(example).getBytes(StandardCharsets.UTF_8), LOOP_AGENT);
            }
            LOG.infof("Published %d example proposals (demo only) for the console's first run", examples.size());
        } catch (IOException | RuntimeException e) {
            LOG.warnf("The example proposals were not published (the run works without them): %s", e.getMessage());
        }
    }
}
