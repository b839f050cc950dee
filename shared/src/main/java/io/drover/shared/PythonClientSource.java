package io.drover.shared;

/**
 * Where the {@code drover} Python client lives on the classpath. It sits in this module so that
 * the agent (which puts it on every task's {@code PYTHONPATH}) and the controller (which serves it
 * to laptops) ship the very same file.
 */
public final class PythonClientSource {
    /** The package's {@code __init__.py}: the whole client is this one stdlib-only module. */
    public static final String RESOURCE = "/io/drover/client/python/drover/__init__.py";

    private PythonClientSource() {}
}
