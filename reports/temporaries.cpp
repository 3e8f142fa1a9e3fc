#include "reports/temporaries.h"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include "engine/spec/error.h"

namespace parity::reports {
namespace {

// Fixed slots so that the signal handler reads no heap memory. A slot is published by
// setting `used` after its path is complete, and retired by clearing `used` first.
struct Slot {
  std::atomic<bool> used{false};
  char path[4096];
};
Slot g_slots[kMaxTemporaries];
std::mutex g_mutex;  // serialises writers (registration), never taken by the handler

}  // namespace

void register_temporary(const std::string& path) {
  if (path.size() >= sizeof(Slot::path)) throw RuntimeError("temporary file name too long: " + path.substr(0, 80));
  std::lock_guard lock(g_mutex);
  for (Slot& s : g_slots) {
    if (s.used.load()) continue;
    std::memcpy(s.path, path.c_str(), path.size() + 1);
    s.used.store(true);
    return;
  }
  throw RuntimeError("too many report files being written at once");
}

void unregister_temporary(const std::string& path) {
  std::lock_guard lock(g_mutex);
  for (Slot& s : g_slots)
    if (s.used.load() && path == s.path) s.used.store(false);
}

void remove_temporaries() noexcept {
  for (Slot& s : g_slots)
    if (s.used.load()) ::unlink(s.path);
}

}  // namespace parity::reports
