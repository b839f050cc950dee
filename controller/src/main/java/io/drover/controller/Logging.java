package io.drover.controller;

/**
 * Logger levels for slf4j-simple, set before the loggers are created. The embedded store logs
 * every connection and command at INFO; that drowns the controller's own output.
 */
final class Logging {
    private Logging() {}

    static void configure() {
        quiet("de.bwaldvogel.mongo.wire.MongoWireProtocolHandler", "warn");
        // warns at every start that non-unique indexes are ignored (known, see STACK-NOTES.md)
        quiet("de.bwaldvogel.mongo.backend.AbstractMongoDatabase", "error");
        quiet("de.bwaldvogel.mongo.backend.AbstractMongoBackend", "warn");
        quiet("de.bwaldvogel.mongo.MongoServer", "warn");
        quiet("org.mongodb.driver", "warn");
        quiet("io.netty", "warn");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    }

    private static void quiet(String logger, String level) {
        setDefault("org.slf4j.simpleLogger.log." + logger, level);
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
