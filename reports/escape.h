#pragma once
// Escaping for every output compare and show write: report text (keys, messages, metadata)
// is data from a file and may hold anything, including control characters and bytes that
// are not UTF-8. Invalid UTF-8 becomes U+FFFD everywhere but in text, which shows "\xNN".
#include <cstddef>
#include <string>
#include <string_view>

namespace parity::reports::escape {

// A JSON string literal, quotes included (RFC 8259: \" \\ \b \f \n \r \t and \u00XX).
std::string json(std::string_view s);
// XML 1.0 character data or attribute value: & < > " ' as entities, tab/newline/CR as
// character references (kept in attributes), other control characters (not allowed in
// XML 1.0 even as references) as U+FFFD.
std::string xml(std::string_view s);
// One Markdown table cell / list item: backslash before Markdown punctuation, < > & as
// entities (no HTML gets through), line breaks and other control characters as a blank;
// at most `cap` characters of the input, "..." when cut.
std::string markdown(std::string_view s, std::size_t cap = 300);
// One line for a terminal: control characters as \xNN (no escape sequence reaches the
// terminal), at most `cap` characters, "..." when cut.
std::string text(std::string_view s, std::size_t cap = 300);

}  // namespace parity::reports::escape
