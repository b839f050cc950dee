package io.drover.controller.secrets;

import io.drover.shared.domain.DroverException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Rules for secret names (environment variable names) and values. */
public final class SecretName {
    private static final Pattern NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");
    /** Values above this are refused: a secret is a token or a key, not a file. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    /** The secret used as the password for https clones of the task's repository. */
    public static final String GIT_TOKEN = "GIT_TOKEN";

    private SecretName() {}

    public static String check(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw DroverException.badRequest("secret name '" + name + "' is not valid: use an environment variable name,"
                    + " 1-64 characters of A-Z, 0-9 and '_', not starting with a digit (e.g. API_TOKEN)");
        }
        return name;
    }

    public static String checkValue(String name, String value) {
        if (value == null) throw DroverException.badRequest("'value' is required: the secret's value as a string");
        if (value.isEmpty()) throw DroverException.badRequest("'value' of secret " + name + " is empty: delete the secret instead");
        if (value.indexOf('\0') >= 0) {
            throw DroverException.badRequest("'value' of secret " + name + " contains a NUL character, which an environment variable cannot hold");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw DroverException.badRequest("'value' of secret " + name + " is larger than 64 KiB: store big files as artifacts or in storage, and the key to them as a secret");
        }
        return value;
    }
}
