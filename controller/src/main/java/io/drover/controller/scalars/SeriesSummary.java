package io.drover.controller.scalars;

/** What the task document and the series listing keep per series. */
public record SeriesSummary(String metric, String variant, long count, double last, double min, double max, long iter,
                            long lastTs) {}
