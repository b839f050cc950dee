package io.drover.controller.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The {@code drover} Python client as served to laptops: the single module and a pure-Python
 * wheel built from it in memory (a wheel installs with no setuptools, unlike an sdist). The
 * module is the one the agent injects into tasks ({@link io.drover.shared.PythonClientSource}).
 */
public record PythonClient(String version, byte[] module, byte[] wheel) {
    public static final String RESOURCE = io.drover.shared.PythonClientSource.RESOURCE;
    private static final Pattern VERSION = Pattern.compile("^__version__ = \"([0-9A-Za-z.+-]+)\"", Pattern.MULTILINE);

    public String wheelName() {
        return "drover-" + version + "-py3-none-any.whl";
    }

    public static PythonClient load() {
        try (InputStream in = PythonClient.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " missing from the controller jar");
            byte[] module = in.readAllBytes();
            Matcher m = VERSION.matcher(new String(module, StandardCharsets.UTF_8));
            if (!m.find()) throw new IllegalStateException(RESOURCE + " has no __version__ line");
            String version = m.group(1);
            return new PythonClient(version, module, wheel(version, module));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A wheel per PEP 427: the package, METADATA, WHEEL and a RECORD with each file's hash. */
    static byte[] wheel(String version, byte[] module) throws IOException {
        String info = "drover-" + version + ".dist-info/";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("drover/__init__.py", module);
        files.put(info + "METADATA", ("Metadata-Version: 2.1\nName: drover\nVersion: " + version
                + "\nSummary: Drover Python client (stdlib only)\nRequires-Python: >=3.8\n").getBytes(StandardCharsets.UTF_8));
        files.put(info + "WHEEL", ("Wheel-Version: 1.0\nGenerator: drover-controller\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
                .getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            record.append(f.getKey()).append(",sha256=").append(hash(f.getValue())).append(',').append(f.getValue().length).append('\n');
        }
        record.append(info).append("RECORD,,\n");
        files.put(info + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                ZipEntry e = new ZipEntry(f.getKey());
                e.setTime(0L); // reproducible bytes
                zip.putNextEntry(e);
                zip.write(f.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static String hash(byte[] b) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
