package io.drover.controller.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LDAP login against a real directory: UnboundID's in-memory server on a loopback port. */
class LdapAuthenticatorTest {
    static InMemoryDirectoryServer ds;
    static String url;

    @BeforeAll
    static void directory() throws Exception {
        ds = TestDirectory.start();
        url = TestDirectory.url(ds);
    }

    @AfterAll
    static void stop() {
        if (ds != null) ds.shutDown(true);
    }

    static LdapAuthenticator authenticator(Map<String, String> roles) {
        return new LdapAuthenticator(LdapConfig.of(url, "cn=drover,ou=people,dc=example,dc=com", "svc-pass",
                "ou=people,dc=example,dc=com", "ou=groups,dc=example,dc=com", roles));
    }

    static Map<String, String> roles() {
        Map<String, String> r = new LinkedHashMap<>();
        // by full DN and by cn: both forms are accepted
        LdapConfig.parseGroupRole("cn=ml-team,ou=groups,dc=example,dc=com=member:vision", r);
        LdapConfig.parseGroupRole("vision-leads=owner:vision", r);
        LdapConfig.parseGroupRole("ml-team=viewer:nlp", r);
        LdapConfig.parseGroupRole("ADMINS=admin", r);
        LdapConfig.parseGroupRole("admins=viewer:vision", r); // the same group again adds a role
        return r;
    }

    @Test
    void logsInAndMapsGroupsToRoles() {
        LdapAuthenticator a = authenticator(roles());
        LdapIdentity alice = a.authenticate("alice", "alice-pass-123").orElseThrow();
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.displayName()).isEqualTo("Alice Liddell");
        assertThat(alice.dn()).isEqualTo("uid=alice,ou=people,dc=example,dc=com");
        assertThat(alice.groups()).containsExactlyInAnyOrder("cn=ml-team,ou=groups,dc=example,dc=com",
                "cn=vision-leads,ou=groups,dc=example,dc=com");
        assertThat(alice.admin()).isFalse();
        // owner beats member on the same project
        assertThat(alice.roles()).isEqualTo(Map.of("vision", "owner", "nlp", "viewer"));

        LdapIdentity bob = a.authenticate("bob", "bob-pass-123").orElseThrow();
        assertThat(bob.admin()).isTrue();
        // member (ml-team) beats viewer (admins) on vision
        assertThat(bob.roles()).isEqualTo(Map.of("vision", "member", "nlp", "viewer"));

        LdapIdentity carol = a.authenticate("carol", "carol-pass-123").orElseThrow();
        assertThat(carol.groups()).isEmpty();
        assertThat(carol.admin()).isFalse();
        assertThat(carol.roles()).isEmpty();
        // the directory's spelling of the name wins, so "Alice" is the same Drover user as "alice"
        assertThat(a.authenticate("ALICE", "alice-pass-123").orElseThrow().username()).isEqualTo("alice");
    }

    @Test
    void wrongPasswordOrUnknownUserIsEmpty() {
        LdapAuthenticator a = authenticator(roles());
        assertThat(a.authenticate("alice", "wrong")).isEmpty();
        assertThat(a.authenticate("alice", "bob-pass-123")).isEmpty();
        assertThat(a.authenticate("nobody", "alice-pass-123")).isEmpty();
    }

    @Test
    void emptyPasswordIsRefusedNeverAnAnonymousBind() {
        LdapAuthenticator a = authenticator(roles());
        assertThat(a.authenticate("alice", "")).isEmpty();
        assertThat(a.authenticate("alice", null)).isEmpty();
        assertThat(a.authenticate("", "x")).isEmpty();
    }

    @Test
    void filterInjectionMatchesNothing() {
        LdapAuthenticator a = authenticator(roles());
        // unescaped, "(uid=*)(uid=*)" would be a wildcard; "*" alone would match every user
        assertThat(a.authenticate("*)(uid=*", "alice-pass-123")).isEmpty();
        assertThat(a.authenticate("*", "alice-pass-123")).isEmpty();
        assertThat(a.authenticate("al*", "alice-pass-123")).isEmpty();
        assertThat(a.authenticate("alice)(|(uid=*", "alice-pass-123")).isEmpty();
        assertThat(LdapAuthenticator.fill("(&(objectClass=person)(uid={0}))", "*)(uid=*"))
                .isEqualTo("(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))");
    }

    @Test
    void badServiceAccountOrUnreachableServerIsUnavailableNotAFailedLogin() {
        LdapAuthenticator wrongSvc = new LdapAuthenticator(LdapConfig.of(url, "cn=drover,ou=people,dc=example,dc=com", "nope",
                "ou=people,dc=example,dc=com", null, Map.of()));
        assertThatThrownBy(() -> wrongSvc.authenticate("alice", "alice-pass-123"))
                .isInstanceOfSatisfying(DroverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("--ldap-bind-password");
        LdapAuthenticator down = new LdapAuthenticator(LdapConfig.of("ldap://127.0.0.1:1", null, null,
                "ou=people,dc=example,dc=com", null, Map.of()));
        assertThatThrownBy(() -> down.authenticate("alice", "alice-pass-123"))
                .isInstanceOfSatisfying(DroverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("cannot connect");
    }

    @Test
    void configIsCheckedAndNeverPrintsThePassword() {
        LdapConfig c = LdapConfig.of(url, "cn=svc", "top-secret", "ou=people,dc=example,dc=com", "ou=groups", roles());
        assertThat(c.toString()).doesNotContain("top-secret").contains("****");
        assertThat(c.describe()).doesNotContain("top-secret");
        assertThatThrownBy(() -> LdapConfig.of("http://x", null, null, "ou=p", null, Map.of())).hasMessageContaining("ldap://");
        assertThatThrownBy(() -> LdapConfig.of(url, "cn=svc", null, "ou=p", null, Map.of()))
                .hasMessageContaining("DROVER_LDAP_BIND_PASSWORD");
        assertThatThrownBy(() -> LdapConfig.of(url, null, null, "ou=p", "ou=g", Map.of("g", "boss:vision")))
                .hasMessageContaining("owner, member or viewer");
        assertThatThrownBy(() -> LdapConfig.parseGroupRole("nogroup", new LinkedHashMap<>())).hasMessageContaining("GROUP=ROLE");
        assertThatThrownBy(() -> new LdapConfig(url, null, null, "ou=p", "(uid=x)", null, null, null, Map.of(), null))
                .hasMessageContaining("{0}");
    }
}
