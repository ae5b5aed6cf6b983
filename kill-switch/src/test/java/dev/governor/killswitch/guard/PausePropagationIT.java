package dev.governor.killswitch.guard;

import dev.governor.killswitch.bench.PausePropagationBench;
import dev.governor.killswitch.testing.ControlTopics;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** 100 guards, each with its own consumer of a real compacted topic, all see every pause. */
class PausePropagationIT {

    @Test
    void oneHundredGuardsAllReportEveryPauseAndRunAgainAfterTheTwoPersonResume() throws Exception {
        PausePropagationBench.Result result = PausePropagationBench.run(ControlTopics.BOOTSTRAP, 100, 20, 3);

        System.out.println(result.report());
        assertThat(result.allSeenAfterAckMillis()).hasSize(20);
        assertThat(result.perGuardAfterAckMillis()).hasSize(2000);
        // Correctness is asserted inside the run (every guard halts in every round); the timing is reported, not gated.
        assertThat(result.allSeenP(100)).isLessThan(30_000);
    }
}
