package dev.governor.auditor.evidence;

import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.log.TreeHead;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OfflineVerifierTest {

    private final InMemoryEvidence log = new InMemoryEvidence(200);
    private final OfflineVerifier verifier = new OfflineVerifier(InMemoryEvidence.ORIGIN, List.of(log.key.verifier()));

    @Test
    void anUntouchedExportVerifiesAgainstItsCheckpoint() {
        VerificationReport report = verifier.verifyExport(log.export().iterator(), log.checkpoint());

        assertThat(report.verified()).as(report.summary()).isTrue();
        assertThat(report.checkedEntries()).isEqualTo(200);
    }

    @Test
    void entriesAfterTheCheckpointAreCheckedButReportedAsUncovered() {
        String checkpoint = log.checkpoint(150);

        VerificationReport report = verifier.verifyExport(log.export().iterator(), checkpoint);

        assertThat(report.verified()).as(report.summary()).isTrue();
        assertThat(report.notes()).anyMatch(n -> n.contains("50 entries after the checkpoint"));
    }

    @Test
    void aChangedLeafIsNamedByItsIndex() {
        List<ExportedEntry> export = new ArrayList<>(log.export());
        ExportedEntry e = export.get(77);
        export.set(77, new ExportedEntry(77, e.leaf().replace("officer-2", "officer-9"), e.leafHash()));

        VerificationReport report = verifier.verifyExport(export.iterator(), log.checkpoint());

        assertThat(report.verified()).isFalse();
        assertThat(report.firstBadIndex()).isEqualTo(77);
        assertThat(report.problem()).contains("leaf hash");
    }

    @Test
    void aLeafChangedTogetherWithItsHashFailsTheSignedRoot() {
        List<ExportedEntry> export = new ArrayList<>(log.export());
        String forged = export.get(5).leaf().replace("officer-2", "officer-9");
        export.set(5, new ExportedEntry(5, forged, InMemoryEvidence.hexHash(forged)));

        VerificationReport report = verifier.verifyExport(export.iterator(), log.checkpoint());

        assertThat(report.verified()).isFalse();
        assertThat(report.problem()).contains("not the signed checkpoint's root");
    }

    @Test
    void aMissingSwappedOrDuplicatedEntryIsNamedByTheFirstIndexOutOfPlace() {
        List<ExportedEntry> deleted = new ArrayList<>(log.export());
        deleted.remove(42);
        List<ExportedEntry> swapped = new ArrayList<>(log.export());
        Collections.swap(swapped, 10, 11);
        List<ExportedEntry> duplicated = new ArrayList<>(log.export());
        duplicated.add(100, duplicated.get(99));

        assertThat(verifier.verifyExport(deleted.iterator(), log.checkpoint()).firstBadIndex()).isEqualTo(42);
        assertThat(verifier.verifyExport(swapped.iterator(), log.checkpoint()).firstBadIndex()).isEqualTo(10);
        assertThat(verifier.verifyExport(duplicated.iterator(), log.checkpoint()).firstBadIndex()).isEqualTo(100);
    }

    @Test
    void aTruncatedExportIsNamedByTheFirstMissingIndex() {
        VerificationReport report = verifier.verifyExport(log.export().subList(0, 120).iterator(), log.checkpoint());

        assertThat(report.verified()).isFalse();
        assertThat(report.firstBadIndex()).isEqualTo(120);
        assertThat(report.problem()).contains("truncated");
    }

    @Test
    void aNonCanonicalLeafIsRejectedEvenWithAMatchingHash() {
        List<ExportedEntry> export = new ArrayList<>(log.export());
        String spaced = export.get(3).leaf().replace(",", ", ");
        export.set(3, new ExportedEntry(3, spaced, InMemoryEvidence.hexHash(spaced)));

        VerificationReport report = verifier.verifyExport(export.iterator(), log.checkpoint());

        assertThat(report.firstBadIndex()).isEqualTo(3);
        assertThat(report.problem()).contains("canonical");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRejected() {
        OfflineVerifier stranger = new OfflineVerifier(InMemoryEvidence.ORIGIN,
                List.of(NoteSigner.generate(InMemoryEvidence.ORIGIN, new SecureRandom()).verifier()));

        VerificationReport report = stranger.verifyExport(log.export().iterator(), log.checkpoint());

        assertThat(report.verified()).isFalse();
        assertThat(report.problem()).contains("checkpoint rejected");
    }

    @Test
    void anEvidenceBundleVerifiesEntriesAndConsistencyWithAnEarlierCheckpoint() {
        EvidenceBundle bundle = log.bundleFor("p-3", 64);

        VerificationReport report = verifier.verifyBundle(EvidenceJson.readBundle(EvidenceJson.write(bundle)));

        assertThat(report.verified()).as(report.summary()).isTrue();
        assertThat(report.checkedEntries()).isEqualTo(40);
    }

    @Test
    void anEvidenceBundleWithAnAlteredEntryNamesIt() {
        EvidenceBundle bundle = log.bundleFor("p-3", 64);
        List<EvidenceBundle.Entry> entries = new ArrayList<>(bundle.entries());
        EvidenceBundle.Entry e = entries.get(4);
        entries.set(4, new EvidenceBundle.Entry(e.index(), e.leaf().replace("\"actor\":\"officer-", "\"actor\":\"mallory-"), e.inclusionProof()));
        EvidenceBundle altered = new EvidenceBundle(bundle.origin(), bundle.verifierKey(), bundle.checkpoint(), entries,
                bundle.consistency());

        VerificationReport report = verifier.verifyBundle(altered);

        assertThat(report.verified()).isFalse();
        assertThat(report.firstBadIndex()).isEqualTo(e.index());
    }

    @Test
    void anEvidenceBundleWhoseEarlierCheckpointIsNotAPrefixIsRejected() {
        EvidenceBundle bundle = log.bundleFor("p-1", 64);
        String forkedOlder = log.signer.sign(new TreeHead(64, log.log.treeHead(63).rootHash()));
        EvidenceBundle forked = new EvidenceBundle(bundle.origin(), bundle.verifierKey(), bundle.checkpoint(), bundle.entries(),
                List.of(new EvidenceBundle.Consistency(forkedOlder, bundle.consistency().get(0).proof())));

        VerificationReport report = verifier.verifyBundle(forked);

        assertThat(report.verified()).isFalse();
        assertThat(report.problem()).contains("not consistent");
    }
}
