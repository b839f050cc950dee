package io.drover.controller.auth.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.util.ssl.SSLUtil;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LDAP login: bind as the service account, find the user's entry, bind as that entry with the
 * given password, then find the user's groups and map them to Drover roles.
 *
 * <p><b>Contract with auth-core</b> ({@code POST /auth/login}): for a username that is unknown
 * locally or whose user has source {@code ldap}, call {@link #authenticate(String, String)} on the
 * store pool (it blocks on the network, never on the event loop). {@code Optional.empty()} means
 * "unknown user or wrong password" — answer the same 401 as a local failure. A
 * {@link DroverException} with {@link ErrorCode#UNAVAILABLE} means the directory could not be
 * asked (down, or the service account is refused): answer 503, do not count it as a failed login.
 * On success, create/update the local user (source ldap, display name) and set its admin flag and
 * project roles from the {@link LdapIdentity}.
 *
 * <p>Safety: an empty password is refused before any network call (a simple bind with a DN and
 * no password is an anonymous bind, which servers accept — it must never count as a login); the
 * login name is escaped per RFC 4515 before it goes into the filter, so {@code *)(uid=*} matches
 * nothing; a search that finds more than one entry is refused rather than guessed.
 */
public final class LdapAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(LdapAuthenticator.class);
    private static final int MAX_USERNAME = 256;
    private static final int MAX_GROUPS = 1000;
    private static final List<String> ROLE_ORDER = List.of("viewer", "member", "owner");

    private final LdapConfig cfg;
    private final String host;
    private final int port;
    private final boolean tls;
    /** Group DN (normalized) → role, for keys of {@code groupRoles} that are DNs; the rest match a group's cn. */
    private final Map<String, String> rolesByDn = new HashMap<>();

    public LdapAuthenticator(LdapConfig cfg) {
        this.cfg = cfg;
        try {
            LDAPURL u = new LDAPURL(cfg.url());
            this.host = u.getHost();
            this.port = u.getPort();
            this.tls = u.getScheme().equalsIgnoreCase("ldaps");
        } catch (LDAPException e) {
            throw new IllegalArgumentException("--ldap-url '" + cfg.url() + "' is not a valid LDAP URL: " + e.getMessage());
        }
        cfg.groupRoles().forEach((group, role) -> {
            String n = normalizedDn(group);
            if (n != null) rolesByDn.put(n, role);
        });
    }

    public LdapConfig config() {
        return cfg;
    }

    /**
     * Checks {@code username} / {@code password} against the directory. Blocking.
     *
     * @return the identity, or empty for an unknown user, a wrong or empty password, or an ambiguous name
     * @throws DroverException {@link ErrorCode#UNAVAILABLE} when the directory cannot be asked
     */
    public Optional<LdapIdentity> authenticate(String username, String password) {
        if (username == null || username.isBlank() || username.length() > MAX_USERNAME) return Optional.empty();
        if (password == null || password.isEmpty()) return Optional.empty();
        String name = username.strip();
        try (LDAPConnection service = connect()) {
            bindService(service);
            Optional<SearchResultEntry> user = findUser(service, name);
            if (user.isEmpty()) return Optional.empty();
            String dn = user.get().getDN();
            if (!passwordMatches(dn, password)) return Optional.empty();
            List<SearchResultEntry> groups = findGroups(service, dn, name);
            return Optional.of(identity(name, user.get(), groups));
        } catch (LDAPException e) {
            throw unavailable("the LDAP server at " + cfg.url() + " failed: " + e.getResultCode() + " "
                    + (e.getDiagnosticMessage() == null ? e.getMessage() : e.getDiagnosticMessage()), e);
        }
    }

    private LDAPConnection connect() {
        LDAPConnectionOptions o = new LDAPConnectionOptions();
        o.setConnectTimeoutMillis((int) cfg.timeout().toMillis());
        o.setResponseTimeoutMillis(cfg.timeout().toMillis());
        o.setFollowReferrals(false);
        try {
            SocketFactory sf = tls ? new SSLUtil().createSSLSocketFactory() : SocketFactory.getDefault();
            return new LDAPConnection(sf, o, host, port);
        } catch (LDAPException | GeneralSecurityException e) {
            throw unavailable("cannot connect to the LDAP server at " + cfg.url() + ": " + e.getMessage()
                    + " (check --ldap-url and that this machine can reach it)", e);
        }
    }

    private void bindService(LDAPConnection c) {
        if (cfg.bindDn() == null) return; // anonymous search, as the directory allows
        try {
            c.bind(new SimpleBindRequest(cfg.bindDn(), cfg.bindPassword()));
        } catch (LDAPException e) {
            throw unavailable("the LDAP service account " + cfg.bindDn() + " cannot bind (" + e.getResultCode()
                    + "): check --ldap-bind-dn and --ldap-bind-password", e);
        }
    }

    private Optional<SearchResultEntry> findUser(LDAPConnection c, String name) throws LDAPException {
        Filter f = filter(fill(cfg.userFilter(), name), "--ldap-user-filter");
        SearchRequest r = new SearchRequest(cfg.userBaseDn(), SearchScope.SUB, DereferencePolicy.NEVER, 2,
                (int) Math.max(1, cfg.timeout().toSeconds()), false, f, cfg.displayNameAttribute(), "uid");
        SearchResult res;
        try {
            res = c.search(r);
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                log.warn("LDAP login for '{}' refused: the user filter matches more than one entry", name);
                return Optional.empty();
            }
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                throw unavailable("the LDAP user base " + cfg.userBaseDn() + " does not exist: check --ldap-user-base", e);
            }
            throw e;
        }
        if (res.getEntryCount() != 1) {
            if (res.getEntryCount() > 1) log.warn("LDAP login for '{}' refused: the user filter matches more than one entry", name);
            return Optional.empty();
        }
        return Optional.of(res.getSearchEntries().get(0));
    }

    /** A separate connection: the service connection keeps its identity for the group search. */
    private boolean passwordMatches(String dn, String password) throws LDAPException {
        try (LDAPConnection c = connect()) {
            c.bind(new SimpleBindRequest(dn, password));
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS || e.getResultCode() == ResultCode.UNWILLING_TO_PERFORM
                    || e.getResultCode() == ResultCode.INAPPROPRIATE_AUTHENTICATION) {
                return false;
            }
            throw e;
        }
    }

    private List<SearchResultEntry> findGroups(LDAPConnection c, String userDn, String name) throws LDAPException {
        if (cfg.groupBaseDn() == null) return List.of();
        Filter f = filter(fill(cfg.groupFilter(), userDn, name), "--ldap-group-filter");
        SearchRequest r = new SearchRequest(cfg.groupBaseDn(), SearchScope.SUB, DereferencePolicy.NEVER, MAX_GROUPS,
                (int) Math.max(1, cfg.timeout().toSeconds()), false, f, "cn");
        try {
            return c.search(r).getSearchEntries();
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) return e.getSearchEntries();
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                throw unavailable("the LDAP group base " + cfg.groupBaseDn() + " does not exist: check --ldap-group-base", e);
            }
            throw e;
        }
    }

    private LdapIdentity identity(String name, SearchResultEntry user, List<SearchResultEntry> groups) {
        String display = user.getAttributeValue(cfg.displayNameAttribute());
        List<String> dns = new ArrayList<>();
        boolean admin = false;
        Map<String, String> roles = new HashMap<>();
        for (SearchResultEntry g : groups) {
            dns.add(g.getDN());
            for (String role : rolesOf(g)) {
                if (role.equals("admin")) {
                    admin = true;
                    continue;
                }
                int colon = role.indexOf(':');
                String r = role.substring(0, colon);
                roles.merge(role.substring(colon + 1), r, (a, b) -> ROLE_ORDER.indexOf(a) >= ROLE_ORDER.indexOf(b) ? a : b);
            }
        }
        // directories match names case-insensitively: "Alice" and "alice" must be one Drover user
        String uid = user.getAttributeValue("uid");
        String username = uid != null && uid.equalsIgnoreCase(name) ? uid : name;
        return new LdapIdentity(username, display == null || display.isBlank() ? username : display, user.getDN(), dns, admin, roles);
    }

    /** The roles mapped to a group by its DN and by its cn. */
    private List<String> rolesOf(SearchResultEntry group) {
        List<String> out = new ArrayList<>();
        String n = normalizedDn(group.getDN());
        if (n != null && rolesByDn.containsKey(n)) out.addAll(List.of(rolesByDn.get(n).split(",")));
        String cn = group.getAttributeValue("cn");
        String byCn = cn == null ? null : cfg.groupRoles().get(cn);
        if (byCn != null) out.addAll(List.of(byCn.split(",")));
        return out;
    }

    private static String normalizedDn(String s) {
        if (s == null || !s.contains("=")) return null;
        try {
            return new DN(s).toNormalizedString();
        } catch (LDAPException e) {
            return null;
        }
    }

    /** {@code {0}}, {@code {1}} … replaced in one pass by the RFC 4515-escaped values (a value never expands again). */
    static String fill(String template, String... values) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\d)}").matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            int i = m.group(1).charAt(0) - '0';
            String v = i < values.length ? Filter.encodeValue(values[i]) : m.group();
            m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(v));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static Filter filter(String text, String flag) {
        try {
            return Filter.create(text);
        } catch (LDAPException e) {
            throw unavailable("the LDAP filter from " + flag + " is not valid (" + text + "): " + e.getMessage(), e);
        }
    }

    private static DroverException unavailable(String message, Exception cause) {
        log.warn("LDAP login: {}", message);
        DroverException d = new DroverException(ErrorCode.UNAVAILABLE, message);
        d.initCause(cause);
        return d;
    }
}
