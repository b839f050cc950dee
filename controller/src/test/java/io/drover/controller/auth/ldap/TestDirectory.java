package io.drover.controller.auth.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import java.net.InetAddress;

/**
 * A real LDAP directory for tests: UnboundID's in-memory server on a loopback port, with a
 * service account, three users (alice, bob, carol) and three groups (ml-team: alice+bob,
 * vision-leads: alice, admins: bob).
 */
final class TestDirectory {
    static final String BASE = "dc=example,dc=com";
    static final String PEOPLE = "ou=people," + BASE;
    static final String GROUPS = "ou=groups," + BASE;
    static final String SERVICE_DN = "cn=drover," + PEOPLE;
    static final String SERVICE_PASSWORD = "svc-pass";

    private TestDirectory() {}

    static InMemoryDirectoryServer start() throws Exception {
        InMemoryDirectoryServerConfig c = new InMemoryDirectoryServerConfig(BASE);
        c.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        c.setSchema(null); // free-form entries
        InMemoryDirectoryServer ds = new InMemoryDirectoryServer(c);
        ds.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
        ds.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
        ds.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
        ds.add("dn: " + SERVICE_DN, "objectClass: person", "cn: drover", "uid: drover-svc", "userPassword: " + SERVICE_PASSWORD);
        ds.add("dn: uid=alice," + PEOPLE, "objectClass: inetOrgPerson", "uid: alice", "cn: Alice Liddell", "sn: Liddell",
                "userPassword: alice-pass-123");
        ds.add("dn: uid=bob," + PEOPLE, "objectClass: inetOrgPerson", "uid: bob", "cn: Bob Builder", "sn: Builder",
                "userPassword: bob-pass-123");
        ds.add("dn: uid=carol," + PEOPLE, "objectClass: inetOrgPerson", "uid: carol", "cn: Carol", "sn: C",
                "userPassword: carol-pass-123");
        ds.add("dn: cn=ml-team," + GROUPS, "objectClass: groupOfNames", "cn: ml-team",
                "member: uid=alice," + PEOPLE, "member: uid=bob," + PEOPLE);
        ds.add("dn: cn=vision-leads," + GROUPS, "objectClass: groupOfNames", "cn: vision-leads", "member: uid=alice," + PEOPLE);
        ds.add("dn: cn=admins," + GROUPS, "objectClass: groupOfNames", "cn: admins", "member: uid=bob," + PEOPLE);
        ds.startListening();
        return ds;
    }

    static String url(InMemoryDirectoryServer ds) {
        return "ldap://127.0.0.1:" + ds.getListenPort();
    }
}
