#include "verifier/code/extract.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "base/strings.h"

namespace verdict::code {
namespace {

struct Block {
  std::string info;  // lower-cased first word
  std::string body;
  bool closed = false;
};

// Length of the fence run at the start of `line` (after up to 3 spaces), 0 if none.
size_t FenceLen(std::string_view line, char* ch) {
  size_t i = 0;
  while (i < 3 && i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return 0;
  char c = line[i];
  size_t n = 0;
  while (i + n < line.size() && line[i + n] == c) ++n;
  if (n < 3) return 0;
  *ch = c;
  return n;
}

}  // namespace

std::optional<std::string> ExtractCode(std::string_view text, const ExtractOptions& options) {
  std::vector<Block> blocks;
  bool open = false;
  char open_ch = 0;
  size_t open_len = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    char ch = 0;
    size_t n = FenceLen(line, &ch);
    if (!open && n > 0) {
      std::string_view rest = line.substr(line.find(std::string(n, ch)) + n);
      std::string info(absl::StripAsciiWhitespace(ToAbsl(rest)));
      info = info.substr(0, info.find_first_of(" \t{"));
      blocks.push_back({absl::AsciiStrToLower(info), "", false});
      open = true;
      open_ch = ch;
      open_len = n;
    } else if (open && n >= open_len && ch == open_ch &&
               absl::StripAsciiWhitespace(ToAbsl(line)).size() == n) {
      blocks.back().closed = true;
      open = false;
    } else if (open) {
      blocks.back().body.append(line);
      blocks.back().body.push_back('\n');
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  auto usable = [&](const Block& b) { return b.closed || options.accept_unclosed; };
  auto lang_ok = [&](const Block& b) {
    if (b.info.empty()) return false;
    if (options.languages.empty()) return true;
    return std::find(options.languages.begin(), options.languages.end(), b.info) !=
           options.languages.end();
  };
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    if (usable(*it) && lang_ok(*it)) return it->body;
  }
  if (options.accept_unlabeled) {
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
      if (usable(*it) && it->info.empty()) return it->body;
    }
  }
  return std::nullopt;
}

}  // namespace verdict::code
