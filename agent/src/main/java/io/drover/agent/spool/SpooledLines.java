package io.drover.agent.spool;

import io.drover.agent.capture.LogLine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Console lines as spool records: {@code [long epoch second][int nanos][byte stream][UTF-8 text]}. */
public final class SpooledLines {
    private SpooledLines() {}

    public static byte[] encode(LogLine l) {
        byte[] text = l.text().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + 4 + 1 + text.length)
                .putLong(l.ts().getEpochSecond()).putInt(l.ts().getNano())
                .put((byte) ("stderr".equals(l.stream()) ? 1 : 0))
                .put(text).array();
    }

    public static LogLine decode(byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record);
        Instant ts = Instant.ofEpochSecond(b.getLong(), b.getInt());
        String stream = b.get() == 1 ? "stderr" : "stdout";
        return new LogLine(ts, stream, new String(record, b.position(), b.remaining(), StandardCharsets.UTF_8));
    }
}
