#pragma once
// The accuracy anchors file: the oracle's inputs and what real NumPy and PyTorch computed on
// them, so `parity accuracy --anchors FILE` sets the libraries' ULP beside Parity's engines.
// `parity accuracy --write-inputs FILE` writes the inputs; scripts/accuracy-anchors adds
// the libraries' results with h5py. Layout (HDF5):
//
//   /                     attrs layout = "parity-accuracy-anchors 1" (fixed-length string);
//                         numpy_version, torch_version (fixed-length strings, by the script)
//   /<op>                 attrs numpy_name, torch_name: the op's qualified names, from its row
//   /<op>/<dtype>/input   the input bit patterns (uint16, uint32 or uint64 by the dtype's width)
//   /<op>/<dtype>/numpy   the library's results on them, same type and length (also torch)
//   /<op>/<dtype>         attr numpy_error / torch_error (fixed-length string): the library
//                         refused or has no such dtype, in its own words
#include <optional>
#include <string>
#include <vector>

#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"
#include "suite/oracle_inputs.h"

namespace parity::suite::oracle {

inline constexpr const char* kAnchorLayout = "parity-accuracy-anchors 1";
inline constexpr const char* kAnchorLibraries[] = {"numpy", "torch"};

struct InputsToWrite {
  spec::OpId op;
  InputSet inputs;
};
// Writes the inputs (ValueError with one line when the file cannot be written).
void write_inputs(const std::string& path, const std::vector<InputsToWrite>& sets);

// One library's answer for one op and dtype.
struct Anchor {
  std::string library;  // "numpy" | "torch"
  std::string version;  // as the script recorded it ("" when absent)
  std::optional<std::vector<std::uint64_t>> bits;  // its results; empty when it refused
  std::string error;    // why not, in the library's words
};

class AnchorFile {
 public:
  // Opens and checks the layout: ValueError with one line when the file is missing, not
  // HDF5 or not an anchors file.
  explicit AnchorFile(const std::string& path);
  ~AnchorFile();
  AnchorFile(const AnchorFile&) = delete;
  AnchorFile& operator=(const AnchorFile&) = delete;
  // The libraries' results for `inputs` (empty when the file has none for this op and dtype).
  // ValueError when the file's inputs differ from `inputs` (another selection, --quick or
  // not) or a result is of the wrong type or length.
  std::vector<Anchor> read(spec::OpId op, const InputSet& inputs) const;

 private:
  std::string path_;
  long long file_;  // hid_t
};

}  // namespace parity::suite::oracle
