package org.neurite.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits delimited text into records. With quoting it is RFC 4180 CSV: a field in double quotes may
 * hold the delimiter, line breaks and doubled quotes ({@code ""} for {@code "}); a quote inside an
 * unquoted field is an ordinary character. Without quoting it is TSV as IANA defines it (and as GLUE's
 * SST-2 files are written): every line is a record and quotes are text. Lines end in \n, \r\n or \r.
 * Blank lines are skipped. Package-private: {@link TextClassificationData} reads through it.
 */
final class Csv {
  /** A record's fields and the line it starts on (1-based). */
  record Row(List<String> fields, int line) {}

  private Csv() {}

  /** The records of {@code s}; {@code where} names the source in errors. */
  static List<Row> parse(String s, char delimiter, boolean quoting, String where) {
    List<Row> rows = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    int n = s.length(), i = 0, line = 1;
    while (i < n) {
      int start = line;
      List<String> fields = new ArrayList<>();
      boolean quoted = false;
      for (;;) {
        b.setLength(0);
        if (quoting && s.charAt(i) == '"') {   // i < n here: a field starts only where text is left
          quoted = true;
          int open = line;
          i++;
          for (;;) {
            if (i >= n)
              throw new IllegalArgumentException(where + ":" + open + ": a quoted field never ends (no closing \" before the end of the file)");
            char c = s.charAt(i);
            if (c == '"') {
              if (i + 1 < n && s.charAt(i + 1) == '"') {
                b.append('"');
                i += 2;
                continue;
              }
              i++;
              break;
            }
            if (c == '\n' || (c == '\r' && (i + 1 >= n || s.charAt(i + 1) != '\n'))) line++;
            b.append(c);
            i++;
          }
          if (i < n && s.charAt(i) != delimiter && s.charAt(i) != '\n' && s.charAt(i) != '\r')
            throw new IllegalArgumentException(where + ":" + line + ": expected " + name(delimiter)
                + " or a line end after a closing quote, found '" + s.charAt(i) + "'; write a quote inside a quoted field as \"\"");
        } else {
          while (i < n) {
            char c = s.charAt(i);
            if (c == delimiter || c == '\n' || c == '\r') break;
            b.append(c);
            i++;
          }
        }
        fields.add(b.toString());
        if (i < n && s.charAt(i) == delimiter) {
          i++;
          if (i == n) fields.add("");   // a delimiter at the very end: one more, empty, field
          else continue;
        }
        if (i < n && s.charAt(i) == '\r') i++;
        if (i < n && s.charAt(i) == '\n') i++;
        line++;
        break;
      }
      if (fields.size() == 1 && !quoted && fields.get(0).isBlank()) continue;
      rows.add(new Row(fields, start));
    }
    return rows;
  }

  static String name(char delimiter) {
    return switch (delimiter) {
      case '\t' -> "a tab";
      case ',' -> "a comma";
      case ';' -> "a semicolon";
      default -> "'" + delimiter + "'";
    };
  }
}
