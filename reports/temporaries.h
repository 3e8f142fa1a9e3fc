#pragma once
// The temporary files the report writer has on disk right now, so that a signal handler
// (SIGINT, SIGTERM in the CLI) can remove them before the process exits. The writer
// registers a temporary before creating it and unregisters it after the rename or removal.
#include <string>

namespace parity::reports {

// Remembers `path` (at most kMaxTemporaries at once; more throws RuntimeError).
void register_temporary(const std::string& path);
void unregister_temporary(const std::string& path);
// Unlinks every registered temporary. Async-signal-safe: only unlink(2) on fixed buffers.
void remove_temporaries() noexcept;

inline constexpr int kMaxTemporaries = 8;

}  // namespace parity::reports
