package dev.governor.controlplane.killswitch;

import dev.governor.controlplane.security.Actor;
import dev.governor.killswitch.state.KillSwitchState;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PendingResume;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** One officer is one subject, whatever display name their token carries. */
class ResumeOfficerTest {

    private static final Instant T = Instant.parse("2026-12-01T12:00:00Z");

    private static PauseState pendingBy(String officer) {
        return new PauseState(KillSwitchState.PAUSED, 7, "drill", "alice (sub-a)", null, T,
                new PendingResume(officer, "fixed", T, T.plusSeconds(900)), null);
    }

    @Test
    void theSameSubjectUnderAnotherNameIsNamedAsItsPendingRequest() {
        Actor renamed = new Actor("sub-a", "renamed-officer");
        assertThat(ResumeOfficer.name(pendingBy("alice (sub-a)"), renamed)).isEqualTo("alice (sub-a)");
    }

    @Test
    void anotherSubjectUnderTheSameNameIsAnotherOfficer() {
        Actor impostor = new Actor("sub-b", "alice");
        assertThat(ResumeOfficer.name(pendingBy("alice (sub-a)"), impostor)).isEqualTo("alice (sub-b)");
    }

    @Test
    void withoutAPendingRequestTheOfficerIsNamedByNameAndSubject() {
        PauseState paused = new PauseState(KillSwitchState.PAUSED, 7, "drill", "alice (sub-a)", null, T, null, null);
        assertThat(ResumeOfficer.name(paused, new Actor("sub-c", "carol"))).isEqualTo("carol (sub-c)");
    }

    @Test
    void theSubjectIsReadFromTheEndOfTheName() {
        assertThat(ResumeOfficer.subjectOf("dr. (x) smith (sub-9)")).isEqualTo("sub-9");
        assertThat(ResumeOfficer.subjectOf("no-subject")).isEqualTo("no-subject");
    }
}
