package dev.governor.auditor.evidence;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parallel check of a JSON Lines export must give the very report of the sequential one,
 * whatever the thread count, for an intact export and for each kind of damage, also where the
 * damage sits at a chunk boundary (the chunks hold 2,048 lines).
 */
class ParallelExportVerificationTest {

    private static final int ENTRIES = 5000;
    private final InMemoryEvidence log = new InMemoryEvidence(ENTRIES);
    private final OfflineVerifier verifier = new OfflineVerifier(InMemoryEvidence.ORIGIN, List.of(log.key.verifier()));

    @Test
    void everyThreadCountGivesTheSequentialReportForEveryKindOfDamage() throws IOException {
        Map<String, List<String>> cases = new LinkedHashMap<>();
        List<String> intact = lines(log.export());
        cases.put("intact", intact);
        for (int at : new int[]{0, 2047, 2048, 4095, 4999}) {
            cases.put("changed leaf at " + at, edit(intact, at, line -> line.replace("officer-", "officer-x")));
            cases.put("deleted at " + at, remove(intact, at));
            cases.put("unreadable line at " + at, edit(intact, at, line -> line.substring(0, line.length() / 2)));
        }
        List<String> swapped = new ArrayList<>(intact);
        Collections.swap(swapped, 2047, 2048);
        cases.put("swapped across a chunk boundary", swapped);
        cases.put("truncated", intact.subList(0, 3000));
        List<String> blank = new ArrayList<>(intact);
        blank.add(2048, "   ");
        cases.put("blank line in the middle", blank);

        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            List<String> lines = c.getValue();
            // Line numbers count from 1 over every line, blank ones included, as the parallel reader counts them.
            VerificationReport sequential = verifier.verifyExport(parsedOneByOne(lines), log.checkpoint());
            for (int threads : new int[]{1, 2, 3, 8}) {
                VerificationReport parallel = verifier.verifyExportLines(reader(c.getValue()), log.checkpoint(), threads);
                assertThat(parallel).as(c.getKey() + " on " + threads + " threads").isEqualTo(sequential);
            }
        }
        assertThat(verifier.verifyExportLines(reader(intact), log.checkpoint(), 2).verified()).isTrue();
        assertThat(verifier.verifyExportLines(reader(cases.get("changed leaf at 2048")), log.checkpoint(), 2).firstBadIndex())
                .isEqualTo(2048);
        assertThat(verifier.verifyExportLines(reader(cases.get("truncated")), log.checkpoint(), 2).problem()).contains("truncated");
    }

    @Test
    void progressIsReportedUpToTheLastEntry() throws IOException {
        AtomicLong last = new AtomicLong();
        verifier.verifyExportLines(reader(lines(log.export())), log.checkpoint(), 2, last::set);
        assertThat(last.get()).isEqualTo(ENTRIES);
    }

    /** Parses a line only when it is taken, as a reader would, so that an unreadable line fails in its place. */
    private static Iterator<ExportedEntry> parsedOneByOne(List<String> lines) {
        int[] numbers = IntStream.range(0, lines.size()).filter(i -> !lines.get(i).isBlank()).toArray();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < numbers.length;
            }

            @Override
            public ExportedEntry next() {
                int i = numbers[next++];
                return EvidenceJson.readExportLine(lines.get(i), i + 1);
            }
        };
    }

    private static List<String> lines(List<ExportedEntry> export) {
        return export.stream().map(EvidenceJson::write).toList();
    }

    private static List<String> edit(List<String> lines, int at, UnaryOperator<String> change) {
        List<String> out = new ArrayList<>(lines);
        out.set(at, change.apply(out.get(at)));
        return out;
    }

    private static List<String> remove(List<String> lines, int at) {
        List<String> out = new ArrayList<>(lines);
        out.remove(at);
        return out;
    }

    private static BufferedReader reader(List<String> lines) {
        return new BufferedReader(new StringReader(String.join("\n", lines) + "\n"));
    }
}
