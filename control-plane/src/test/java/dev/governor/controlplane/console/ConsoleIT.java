package dev.governor.controlplane.console;

import dev.governor.auditor.checkpoint.NoteVerifier;
import dev.governor.auditor.evidence.EvidenceJson;
import dev.governor.auditor.evidence.OfflineVerifier;
import dev.governor.auditor.evidence.VerificationReport;
import dev.governor.controlplane.testing.Browser;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.KillSwitchTesting;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console end to end, in headless Chromium, signed in through Keycloak's real
 * authorization-code flow: two officers approve a proposal to promotion, a pause reaches another
 * open page within a second, resuming takes both, and a regulator verifies the record in the
 * browser without any control to approve or pause.
 */
@QuarkusTest
class ConsoleIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<Browser> browsers = new ArrayList<>();
    private String console;

    @BeforeEach
    void setUp() {
        KillSwitchTesting.ensureRunning();
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        console = "http://127.0.0.1:" + port + "/console/";
    }

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(Browser::close);
        KillSwitchTesting.ensureRunning();
    }

    private Browser signIn(String user) {
        Browser b = Browser.open(user);
        browsers.add(b);
        b.signInWithKeycloak(console, user, user);
        return b;
    }

    @Test
    void anAdminRegistersALoopAndRevokesItsKeyOnTheLoopsPageAndARegulatorOnlyReadsIt() {
        String loop = "loop-page-" + run;
        dev.governor.auditor.dsse.Ed25519Signer key = dev.governor.auditor.dsse.Ed25519Signer.generate(new java.security.SecureRandom());
        Browser adam = signIn("adam");
        adam.get(console + "#/loops");
        adam.find(By.id("l-loopId")).sendKeys(loop);
        adam.find(By.id("l-submitters")).sendKeys(dev.governor.controlplane.testing.Governance.subject("loop-agent"));
        adam.find(By.id("l-owners")).sendKeys(dev.governor.controlplane.testing.Governance.subject("carol"));
        adam.find(By.id("l-publicKey")).sendKeys(key.publicKeyBase64());
        adam.click(By.id("loop-register-submit"));
        WebElement card = adam.await(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.id("loop-" + loop)));
        assertThat(card.findElement(By.cssSelector("dd.owners")).getText()).contains(dev.governor.controlplane.testing.Governance.subject("carol"));
        card.findElement(By.cssSelector("table.keys button.danger")).click();
        adam.await(Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent()).sendKeys("leaked in a test");
        adam.driver().switchTo().alert().accept();
        adam.await(Duration.ofSeconds(10)).until(d -> adam.find(By.id("loop-" + loop)).getText().contains("revoked"));
        adam.screenshot("loops.png");

        Browser rita = signIn("rita");
        rita.get(console + "#/loops");
        WebElement seen = rita.await(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.id("loop-" + loop)));
        assertThat(seen.getText()).contains("revoked");
        assertThat(rita.all(By.id("loop-register"))).isEmpty();
        assertThat(rita.all(By.cssSelector("table.keys button"))).isEmpty();
    }

    @Test
    void officersApproveToPromotionPauseReachesTheOtherPageAndRegulatorVerifies() throws Exception {
        String id = "console-" + run;
        String loop = "loop-console-" + run;

        // alice signs in and watches her loop's queue; the proposal appears on it without a reload
        Browser alice = signIn("alice");
        assertThat(alice.text(By.id("roles"))).contains("safety-officer");
        alice.find(By.id("f-loopId")).sendKeys(loop, Keys.ENTER);
        alice.await(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("queue-empty")));
        alice.await(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("live"), "● live"));
        Governance.submit(id, loop, 0.55); // an alert-level ai_rnd score: elevated tier, two approvals
        By row = By.cssSelector("tr[data-proposal='" + id + "']");
        alice.await(Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(row));
        assertThat(alice.text(row)).contains("elevated").contains("0 / 2").contains("ai_rnd alert");
        alice.screenshot("queue.png");

        // she opens it: the approval names the digest and decision the server holds
        alice.click(By.linkText(id));
        Response api = Governance.get(id);
        assertThat(alice.text(By.id("digest"))).isEqualTo(api.jsonPath().getString("contentDigest"));
        assertThat(alice.text(By.id("decision-id"))).isEqualTo(api.jsonPath().getString("decision.decision_id"));
        assertThat(alice.attribute(By.id("capability-chart"), "aria-label")).contains("ai_rnd").contains("alert 0.5");
        alice.find(By.id("approve-comment")).sendKeys("checked the diff and the evaluations");
        alice.click(By.id("approve"));
        alice.await(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("approvals-count"), "1 of 2"));
        alice.screenshot("proposal.png");

        // a second approval by the same officer is refused by the server, and the page says so
        alice.click(By.id("approve"));
        alice.await(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-msg"), "already-approved"));

        // a rejection needs a reason before anything is sent
        alice.click(By.id("reject"));
        assertThat(alice.text(By.id("action-msg"))).contains("needs a reason");
        assertThat(Governance.get(id).jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");

        // bob approves on his own machine; both pages show PROMOTED
        Browser bob = signIn("bob");
        bob.get(console + "#/proposals/" + id);
        bob.click(By.id("approve"));
        for (Browser b : List.of(bob, alice)) {
            b.await(Duration.ofSeconds(20)).until(ExpectedConditions.attributeToBe(By.id("proposal-status"), "data-status", "PROMOTED"));
        }
        assertThat(Governance.get(id).jsonPath().getString("status")).isEqualTo("PROMOTED");

        // alice pauses, with the keyboard only; bob's open page turns PAUSED within a second of the answer
        alice.find(By.id("pause")).sendKeys(Keys.ENTER);
        alice.find(By.id("dialog-reason")).sendKeys("console drill " + run);
        alice.driver().switchTo().activeElement().sendKeys(Keys.TAB, Keys.TAB, Keys.ENTER);
        alice.await(Duration.ofSeconds(10)).until(d -> !Boolean.TRUE.equals(alice.script("return document.getElementById('dialog').open")));
        bob.await(Duration.ofSeconds(1)).until(ExpectedConditions.attributeToBe(By.id("banner"), "data-state", "PAUSED"));
        assertThat(bob.text(By.id("banner"))).contains("console drill " + run).contains("alice");
        alice.await(Duration.ofSeconds(1)).until(ExpectedConditions.attributeToBe(By.id("banner"), "data-state", "PAUSED"));

        // resuming: alice's request shows as pending on bob's page, and bob's completes it
        alice.click(By.id("resume"));
        alice.find(By.id("dialog-reason")).sendKeys("drill over");
        alice.click(By.id("dialog-confirm"));
        bob.await(Duration.ofSeconds(5)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("ks-pending"), "alice"));
        assertThat(bob.attribute(By.id("banner"), "data-state")).isEqualTo("PAUSED");
        bob.click(By.id("resume"));
        bob.find(By.id("dialog-reason")).sendKeys("agreed");
        bob.click(By.id("dialog-confirm"));
        for (Browser b : List.of(alice, bob)) {
            b.await(Duration.ofSeconds(5)).until(ExpectedConditions.attributeToBe(By.id("banner"), "data-state", "RUNNING"));
        }

        // rita sees every entry about the proposal and verifies one in the browser
        Browser rita = signIn("rita");
        rita.get(console + "#/audit?proposalId=" + id);
        rita.await(Duration.ofSeconds(15)).until(d -> rita.all(By.cssSelector("li.entry[data-type='proposal.promoted']")).size() == 1);
        List<String> types = rita.all(By.cssSelector("li.entry")).stream().map(e -> e.getAttribute("data-type")).toList();
        assertThat(types).contains("proposal.received", "policy.decision", "approval.recorded", "approval.refused",
                "proposal.approved", "proposal.promoted");
        assertThat(types.stream().filter("approval.recorded"::equals).count()).isEqualTo(2);
        WebElement promoted = rita.find(By.cssSelector("li.entry[data-type='proposal.promoted']"));
        promoted.findElement(By.cssSelector("button.verify")).click();
        WebElement verdict = rita.await(Duration.ofSeconds(40))
                .until(ExpectedConditions.visibilityOfNestedElementsLocatedBy(promoted, By.cssSelector(".verdict"))).get(0);
        rita.await(Duration.ofSeconds(40)).until(d -> verdict.getText().startsWith("PASS") || verdict.getText().startsWith("FAIL"));
        assertThat(verdict.getText()).as(promoted.getText()).startsWith("PASS");
        assertThat(promoted.findElements(By.cssSelector(".steps li[data-ok='true']"))).hasSize(4);
        rita.screenshot("audit.png");

        // the evidence bundle she downloads verifies offline with the auditor's verifier
        rita.click(By.id("download-evidence"));
        String evidence = Files.readString(rita.downloaded("evidence-" + id + ".json", Duration.ofSeconds(20)));
        String verifierKey = rita.text(By.cssSelector("#verifier-key code"));
        VerificationReport report = new OfflineVerifier("governor.local/audit", List.of(NoteVerifier.fromKey(verifierKey)))
                .verifyBundle(EvidenceJson.readBundle(evidence));
        assertThat(report.verified()).as(report.summary()).isTrue();
        assertThat(report.checkedEntries()).isEqualTo(types.size());

        // rita has no control to approve, reject, pause or resume
        rita.get(console + "#/proposals/" + id);
        rita.await(Duration.ofSeconds(10)).until(ExpectedConditions.attributeToBe(By.id("proposal-status"), "data-status", "PROMOTED"));
        assertThat(rita.all(By.id("approve"))).isEmpty();
        assertThat(rita.all(By.id("reject"))).isEmpty();
        assertThat(rita.attribute(By.id("banner"), "data-state")).isEqualTo("RUNNING");
        assertThat(rita.all(By.id("pause"))).isEmpty();
        assertThat(rita.all(By.id("resume"))).isEmpty();

        // readable on a narrow window: nothing wider than the screen
        rita.resize(400, 800);
        Long overflow = (Long) rita.script("return document.documentElement.scrollWidth - window.innerWidth");
        assertThat(overflow).isLessThanOrEqualTo(0L);
        rita.screenshot("proposal-narrow.png");

        // signing out ends the session at Keycloak too: the console asks to sign in again
        rita.click(By.id("sign-out"));
        rita.find(By.id("sign-in"));
        rita.get(console);
        rita.find(By.id("sign-in"));
        assertThat(rita.all(By.id("user"))).isEmpty();
    }
}
