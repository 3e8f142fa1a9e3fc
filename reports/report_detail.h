#pragma once
// Test seam for write_report(): not part of the report API. Lets a test make a write fail
// after the temporary file is complete and before it is renamed over the target, which is
// the one failure point that cannot be provoked honestly from outside (e.g. as root, where
// permissions do not stop a write).
#include <functional>
#include <string>

namespace parity::reports::detail {

// Called with the temporary file's path just before the rename; a hook that throws makes
// write_report() remove the temporary and rethrow. Empty (the default) in production.
std::function<void(const std::string& temp_path)>& write_hook_for_testing();

// Called with the temporary file's path right after its bytes are on disk and before they are
// read back and verified: a hook that damages the file shows that the verification catches it.
std::function<void(const std::string& temp_path)>& written_hook_for_testing();

}  // namespace parity::reports::detail
