#include "reports/escape.h"

#include <fmt/format.h>

namespace parity::reports::escape {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  unsigned cp = 0;
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) {
    len = 2;
    cp = b & 0x1f;
  } else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    cp = b & 0x0f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8.
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

// The character entity of &, < or > (shared by XML and by Markdown, which lets HTML through).
const char* entity(char c) { return c == '&' ? "&amp;" : c == '<' ? "&lt;" : "&gt;"; }

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

// Walks s by UTF-8 sequences: `ascii(c)` for single bytes, `multi(seq)` for valid longer
// sequences, `bad(byte)` for bytes that start no valid sequence.
template <class Ascii, class Multi, class Bad>
void walk(std::string_view s, Ascii ascii, Multi multi, Bad bad) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_length(s, i);
    if (len == 0) {
      bad(static_cast<unsigned char>(s[i]));
      ++i;
    } else if (len == 1) {
      ascii(s[i]);
      ++i;
    } else {
      multi(s.substr(i, len));
      i += len;
    }
  }
}

// The first `cap` characters (code points or bad bytes) of s, and whether it was cut.
std::string_view capped(std::string_view s, std::size_t cap, bool& cut) {
  std::size_t chars = 0, i = 0;
  while (i < s.size() && chars < cap) {
    const std::size_t len = utf8_length(s, i);
    i += len == 0 ? 1 : len;
    ++chars;
  }
  cut = i < s.size();
  return s.substr(0, i);
}

}  // namespace

std::string json(std::string_view s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  walk(
      s,
      [&](char c) {
        switch (c) {
          case '"':
            out += "\\\"";
            break;
          case '\\':
            out += "\\\\";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          case '\t':
            out += "\\t";
            break;
          case '\b':
            out += "\\b";
            break;
          case '\f':
            out += "\\f";
            break;
          default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
              out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
            } else {
              out += c;
            }
        }
      },
      [&](std::string_view seq) { out += seq; }, [&](unsigned char) { out += "\\ufffd"; });
  return out + "\"";
}

std::string xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  walk(
      s,
      [&](char c) {
        switch (c) {
          case '&':
          case '<':
          case '>':
            out += entity(c);
            break;
          case '"':
            out += "&quot;";
            break;
          case '\'':
            out += "&apos;";
            break;
          case '\t':
            out += "&#9;";
            break;
          case '\n':
            out += "&#10;";
            break;
          case '\r':
            out += "&#13;";
            break;
          default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
              out += kReplacement;
            } else {
              out += c;
            }
        }
      },
      [&](std::string_view seq) {
        // U+FFFE and U+FFFF are not XML characters either.
        if (seq == "\xef\xbf\xbe" || seq == "\xef\xbf\xbf") {
          out += kReplacement;
        } else {
          out += seq;
        }
      },
      [&](unsigned char) { out += kReplacement; });
  return out;
}

std::string markdown(std::string_view s, std::size_t cap) {
  bool cut = false;
  const std::string_view head = capped(s, cap, cut);
  std::string out;
  out.reserve(head.size() + 8);
  walk(
      head,
      [&](char c) {
        switch (c) {
          case '<':
          case '>':
          case '&':
            out += entity(c);
            break;
          case '\\':
          case '`':
          case '*':
          case '_':
          case '[':
          case ']':
          case '|':
          case '~':
          case '$':
          case '#':
          case '!':
            out += '\\';
            out += c;
            break;
          default:
            out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
        }
      },
      [&](std::string_view seq) { out += seq; }, [&](unsigned char) { out += kReplacement; });
  if (cut) out += "...";
  return out;
}

std::string text(std::string_view s, std::size_t cap) {
  bool cut = false;
  const std::string_view head = capped(s, cap, cut);
  std::string out;
  out.reserve(head.size() + 4);
  walk(
      head,
      [&](char c) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
      },
      [&](std::string_view seq) {
        // C1 controls (U+0080..U+009F) include CSI, which terminals act on too.
        if (seq.size() == 2 && static_cast<unsigned char>(seq[0]) == 0xc2 &&
            static_cast<unsigned char>(seq[1]) < 0xa0) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(seq[1]));
        } else {
          out += seq;
        }
      },
      [&](unsigned char b) { out += fmt::format("\\x{:02x}", b); });
  if (cut) out += "...";
  return out;
}

}  // namespace parity::reports::escape
