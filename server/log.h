// Structured logs: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-22T16:40:01.123Z","level":"info","msg":"listening","address":"unix:/s.sock"}
#ifndef VERDICT_SERVER_LOG_H_
#define VERDICT_SERVER_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace verdict::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Messages below this level are dropped. Default kInfo. Thread-safe.
void SetLevel(Level level);
bool ParseLevel(std::string_view name, Level* level);

using Field = std::pair<std::string_view, std::string>;
void Log(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Log(Level::kInfo, msg, fields);
}
inline void Warning(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Log(Level::kWarning, msg, fields);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Log(Level::kError, msg, fields);
}

}  // namespace verdict::log

#endif  // VERDICT_SERVER_LOG_H_
