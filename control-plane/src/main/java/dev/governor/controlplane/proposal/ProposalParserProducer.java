package dev.governor.controlplane.proposal;

import dev.governor.controlplane.config.GovernorConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** One parser, with the limits of {@code governor.intake.*}, for the Kafka intake and the API alike. */
public class ProposalParserProducer {

    @Produces
    @Singleton
    ProposalParser parser(GovernorConfig config) {
        return new ProposalParser(config.intake().maxMessageBytes(), config.intake().maxInlineDiffBytes(),
                config.intake().maxNestingDepth());
    }
}
