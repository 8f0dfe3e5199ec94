package fdht.layout.io;

import java.util.ArrayList;
import java.util.List;

/**
 * A model file's class names: the optional {@code __metadata__} entry {@value #KEY}, a JSON array
 * of one string per class of the head ({@code ["T-shirt/top +x", "T-shirt/top -x", ...]}),
 * specified in docs/FORMAT.md. Readers check it against the head: as many names as classes, each of
 * 1 to {@value #MAX_CHARS} characters, the whole entry at most {@value #MAX_ENTRY_CHARS}
 * characters; a bad list is a {@link ModelFileException} naming the file. A file without the entry
 * has no names (callers number the classes "0".."C-1").
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class ClassLabels {
    /** The metadata key. */
    public static final String KEY = "fdht.labels";

    /** The longest name, in characters. */
    public static final int MAX_CHARS = 256;

    /** The longest entry (the JSON text), in characters. */
    public static final int MAX_ENTRY_CHARS = 1 << 20;

    private ClassLabels() {}

    /**
     * The class names {@code st} holds, checked against a head of {@code classes} classes (0: no
     * head); an empty list when the file has none.
     */
    public static List<String> read(SafetensorsFile st, int classes) {
        String json = st.metadata().get(KEY);
        if (json == null) return List.of();
        if (classes == 0)
            throw bad(st, "is given but the model has no head to name the classes of");
        if (json.length() > MAX_ENTRY_CHARS)
            throw bad(st, "is " + json.length() + " characters, more than " + MAX_ENTRY_CHARS);
        Object v;
        try {
            v = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw bad(st, "is not JSON: " + e.getMessage());
        }
        if (!(v instanceof List<?> list)) throw bad(st, "is not a JSON array of strings");
        if (list.size() != classes)
            throw bad(st, "names " + list.size() + " classes but the head has " + classes);
        List<String> names = new ArrayList<>(list.size());
        for (int c = 0; c < list.size(); c++) {
            if (!(list.get(c) instanceof String s))
                throw bad(st, "entry " + c + " is not a string");
            String problem = problem(s);
            if (problem != null) throw bad(st, "entry " + c + " " + problem);
            names.add(s);
        }
        return List.copyOf(names);
    }

    private static ModelFileException bad(SafetensorsFile st, String problem) {
        return new ModelFileException(st.path(), null, "__metadata__ '" + KEY + "' " + problem);
    }

    /** What is wrong with a name, or null. */
    private static String problem(String name) {
        if (name.isEmpty()) return "is empty";
        if (name.length() > MAX_CHARS)
            return "has " + name.length() + " characters, more than " + MAX_CHARS;
        return null;
    }

    /**
     * Puts {@code labels} into {@code w}'s metadata (nothing for an empty list). Throws {@link
     * IllegalArgumentException} for a name a reader would refuse.
     */
    public static void write(SafetensorsWriter w, List<String> labels) {
        if (labels.isEmpty()) return;
        StringBuilder json = new StringBuilder("[");
        for (int c = 0; c < labels.size(); c++) {
            String s = labels.get(c);
            String problem = s == null ? "is null" : problem(s);
            if (problem != null) throw new IllegalArgumentException("label " + c + " " + problem);
            json.append(c == 0 ? "" : ", ").append(Json.quote(s));
        }
        String text = json.append(']').toString();
        if (text.length() > MAX_ENTRY_CHARS)
            throw new IllegalArgumentException(
                    "labels take " + text.length() + " characters, more than " + MAX_ENTRY_CHARS);
        w.metadata(KEY, text);
    }
}
