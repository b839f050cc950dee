package io.drover.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.controller.testing.ChildController;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a PEM certificate and key: a self-signed pair made by keytool in the test. */
class TlsTest {
    @TempDir
    static Path dir;
    static Path certPem;
    static Path keyPem;
    static Certificate cert;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path p12 = dir.resolve("ks.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "drover", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        cert = ks.getCertificate("drover");
        certPem = dir.resolve("cert.pem");
        keyPem = dir.resolve("key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        // PKCS#8, as most tools write it ("BEGIN PRIVATE KEY")
        Files.writeString(keyPem, pem("PRIVATE KEY", ks.getKey("drover", "changeit".toCharArray()).getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static HttpClient trustingClient() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("drover", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void servesHttpsWithTheGivenCertificateAndRefusesPlainHttp() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir.resolve("data")).withAuth(false).withTls(certPem, keyPem))) {
            assertThat(c.baseUrl()).startsWith("https://127.0.0.1:");
            assertThat(c.services().config().tlsEnabled()).isTrue();
            HttpResponse<String> r = trustingClient().send(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/api/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Json.parse(r.body()).path("status").asText()).isEqualTo("ok");
            assertThat(r.sslSession()).isPresent();
            // a client that does not trust the certificate cannot talk to it
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            // plain HTTP to the TLS port gets no HTTP answer
            URI plain = URI.create(c.baseUrl().replace("https://", "http://") + "/api/v1/health");
            assertThatThrownBy(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void withAuthTheSessionCookieIsSecure() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir.resolve("auth")).withTls(certPem, keyPem))) {
            String body = Json.write(Json.object().put("username", c.bootstrap().username()).put("password", c.bootstrap().password()));
            HttpResponse<String> r = trustingClient().send(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/api/v1/auth/login"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Set-Cookie")).hasValueSatisfying(cookie -> assertThat(cookie)
                    .startsWith("drover_session=").contains("; Secure").containsIgnoringCase("HttpOnly").contains("SameSite=Strict"));
        }
    }

    @Test
    void aCertificateWithoutItsKeyIsAClearError() throws Exception {
        assertThatThrownBy(() -> Controller.start(TestConfig.forTest(dir.resolve("d1")).withAuth(false).withTls(certPem, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-cert was given without --tls-key");
        ChildController.Result r = ChildController.run(dir.resolve("d2"), dir.resolve("d2.log"), "--tls-key", keyPem.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--tls-key was given without --tls-cert: pass both");
        ChildController.Result missing = ChildController.run(dir.resolve("d3"), dir.resolve("d3.log"),
                "--tls-cert", dir.resolve("nope.pem").toString(), "--tls-key", keyPem.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.output()).contains("--tls-cert").contains("nope.pem is not a readable file");
    }

    @Test
    void aKeyThatIsNotPemFailsTheStartWithAHint() throws Exception {
        Path junk = dir.resolve("junk.pem");
        Files.writeString(junk, "not a key");
        ChildController.Result r = ChildController.run(dir.resolve("d4"), dir.resolve("d4.log"),
                "--tls-cert", certPem.toString(), "--tls-key", junk.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("--tls-cert and --tls-key");
        assertThat(List.of(r.output().split("\n"))).noneMatch(l -> l.contains("listening on"));
    }
}
