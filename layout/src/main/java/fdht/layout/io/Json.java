package fdht.layout.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, bounded JSON reader (safetensors headers, JMH results) on jackson-core's streaming
 * parser: objects become {@link LinkedHashMap}s (duplicate keys rejected), arrays {@link List}s,
 * numbers {@link Long} when integral and in range else {@link Double}, plus String, Boolean and
 * null. {@link StreamReadConstraints} bound what a hostile header can make it do: nesting at
 * {@value #MAX_DEPTH} levels (so it cannot exhaust the stack), numbers at {@value
 * #MAX_NUMBER_CHARS} characters, strings at {@value #MAX_STRING_CHARS}; the input size is bounded
 * by the caller. Every malformed input is an {@link IllegalArgumentException} naming the character
 * offset.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class Json {
    static final int MAX_DEPTH = 32;
    static final int MAX_NUMBER_CHARS = 40;
    static final int MAX_STRING_CHARS =
            16 << 20; // far above any real name or metadata value, far below the 100 MiB header cap
    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(MAX_DEPTH)
                                    .maxNumberLength(MAX_NUMBER_CHARS)
                                    .maxStringLength(MAX_STRING_CHARS)
                                    .build())
                    .build();

    private Json() {}

    /** Parses one JSON value that spans the whole text (trailing white space allowed). */
    public static Object parse(String text) {
        JsonParser p;
        try {
            p = FACTORY.createParser(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
        try (p) {
            if (p.nextToken() == null) throw error(p, "unexpected end");
            Object v = value(p);
            if (p.nextToken() != null) throw error(p, "unexpected text after the JSON value");
            return v;
        } catch (StreamConstraintsException e) {
            String what =
                    e.getMessage().contains("nesting depth")
                            ? "nested deeper than " + MAX_DEPTH + " levels"
                            : e.getOriginalMessage();
            throw new IllegalArgumentException(
                    "malformed JSON at character " + offset(e, p) + ": " + what);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "malformed JSON at character " + offset(e, p) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
    }

    /** Where jackson says the problem is, else where the parser stopped. */
    private static long offset(JsonProcessingException e, JsonParser p) {
        long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
        return at >= 0 ? at : p.currentLocation().getCharOffset();
    }

    private static IllegalArgumentException error(JsonParser p, String what) {
        long at = p.currentTokenLocation().getCharOffset();
        return new IllegalArgumentException(
                "malformed JSON at character "
                        + (at >= 0 ? at : p.currentLocation().getCharOffset())
                        + ": "
                        + what);
    }

    /**
     * The value whose first token is the parser's current one; leaves the parser on its last token.
     */
    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> object(p);
            case START_ARRAY -> array(p);
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER)
                    throw error(p, "integer " + p.getText() + " is out of range");
                yield p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case null, default -> throw error(p, "unexpected " + (t == null ? "end" : t));
        };
    }

    private static Map<String, Object> object(JsonParser p) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) throw error(p, "expected a key string");
            String key = p.currentName();
            if (m.containsKey(key)) throw error(p, "duplicate key '" + key + "'");
            p.nextToken();
            m.put(key, value(p));
        }
        return m;
    }

    private static List<Object> array(JsonParser p) throws IOException {
        List<Object> a = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) throw error(p, "unexpected end");
            a.add(value(p));
        }
        return a;
    }

    /** JSON text for a string (quoted, escaped). */
    public static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
