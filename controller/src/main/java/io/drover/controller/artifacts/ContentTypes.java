package io.drover.controller.artifacts;

import java.util.Locale;
import java.util.Map;

/** Content type of an artifact from its extension; unknown → application/octet-stream. */
public final class ContentTypes {
    public static final String DEFAULT = "application/octet-stream";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("txt", "text/plain"), Map.entry("log", "text/plain"), Map.entry("out", "text/plain"),
            Map.entry("csv", "text/csv"), Map.entry("tsv", "text/tab-separated-values"),
            Map.entry("md", "text/markdown"), Map.entry("html", "text/html"), Map.entry("htm", "text/html"),
            Map.entry("css", "text/css"), Map.entry("xml", "application/xml"),
            Map.entry("json", "application/json"), Map.entry("jsonl", "application/x-ndjson"),
            Map.entry("yaml", "application/yaml"), Map.entry("yml", "application/yaml"),
            Map.entry("toml", "application/toml"), Map.entry("py", "text/x-python"), Map.entry("ipynb", "application/x-ipynb+json"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("svg", "image/svg+xml"), Map.entry("webp", "image/webp"),
            Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"), Map.entry("tgz", "application/gzip"), Map.entry("tar", "application/x-tar"),
            Map.entry("parquet", "application/vnd.apache.parquet"), Map.entry("onnx", "application/onnx"),
            Map.entry("mp4", "video/mp4"), Map.entry("wav", "audio/wav"));

    private ContentTypes() {}

    public static String forName(String name) {
        String file = ArtifactNames.fileName(name);
        int dot = file.lastIndexOf('.');
        if (dot < 0 || dot == file.length() - 1) return DEFAULT;
        return BY_EXTENSION.getOrDefault(file.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
