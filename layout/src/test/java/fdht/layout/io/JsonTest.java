package fdht.layout.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void valuesBecomeMapsListsLongsDoublesStringsBooleansAndNull() {
        Object v = Json.parse(" {\"b\":[1,-2.5e1,true,false,null,\"x\\u00e9\\n\"],\"a\":{}} ");
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("b", Arrays.asList(1L, -25.0, true, false, null, "xé\n"));
        want.put("a", Map.of());
        assertEquals(want, v);
        assertEquals(
                List.of("b", "a"),
                List.copyOf(((Map<?, ?>) v).keySet()),
                "key order is the file's");
        assertEquals(Long.MAX_VALUE, Json.parse(Long.toString(Long.MAX_VALUE)));
    }

    @Test
    void hostileOrMalformedTextIsAnIllegalArgumentNamingWhatIsWrong() {
        expect("", "unexpected end");
        expect("{\"a\":1,\"a\":2}", "duplicate key 'a'");
        expect("{}{}", "unexpected text after the JSON value");
        expect(
                "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1),
                "nested deeper than 32");
        Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH));
        expect("9".repeat(Json.MAX_NUMBER_CHARS + 1), "Number value length");
        expect("123456789012345678901234567890", "out of range");
        expect("\"" + "s".repeat(Json.MAX_STRING_CHARS + 1) + "\"", "String value length");
        expect("{\"a\" 1}", "malformed JSON at character");
        expect("[1,]", "malformed JSON at character 3");
        expect("NaN", "malformed JSON");
    }

    private static void expect(String text, String fragment) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
        assertTrue(
                e.getMessage().contains(fragment),
                "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
