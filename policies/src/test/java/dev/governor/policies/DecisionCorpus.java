package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The named inputs in src/test/resources/corpus, each with the decision it must get. The files
 * hold what the control plane has (the proposal with its inline diff); {@link #input()} is the
 * policy input made from it by {@link PolicyInput}.
 */
record DecisionCorpus(String name, String description, JsonNode input, JsonNode expected) {

    static final ObjectMapper JSON = new ObjectMapper();

    static List<DecisionCorpus> load() {
        URL dir = DecisionCorpus.class.getClassLoader().getResource("corpus");
        if (dir == null) {
            throw new IllegalStateException("test resource folder corpus/ is missing");
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            List<DecisionCorpus> cases = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode node = JSON.readTree(file.toFile());
                cases.add(new DecisionCorpus(
                        node.required("name").asText(),
                        node.required("description").asText(),
                        PolicyInput.of(node.required("input")),
                        node.required("expected")));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
