#include "engine/core/storage.h"

#include <cstdlib>
#include <new>
#include <stdexcept>

#include "engine/spec/error.h"

namespace parity::core {

std::string Device::str() const {
  return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(index);
}

Device Device::parse(std::string_view text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.substr(0, 5) == "cuda:" && text.size() > 5) {
    int idx = 0;
    for (char c : text.substr(5)) {
      if (c < '0' || c > '9') idx = -1;
      if (idx < 0) break;
      idx = idx * 10 + (c - '0');
    }
    if (idx >= 0) return cuda(idx);
  }
  throw ValueError("unknown device '" + std::string(text) + "' (expected cpu, cuda or cuda:N)");
}

std::shared_ptr<Storage> Storage::allocate_cpu(std::size_t nbytes) {
  constexpr std::size_t kAlign = 64;
  const std::size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
  void* p = std::aligned_alloc(kAlign, rounded == 0 ? kAlign : rounded);
  if (!p) throw RuntimeError("out of host memory allocating " + std::to_string(nbytes) + " bytes");
  return adopt(p, nbytes, Device::cpu(), [](void* q) { std::free(q); });
}

std::shared_ptr<Storage> Storage::borrow(void* data, std::size_t nbytes, Device device,
                                         std::shared_ptr<const void> keep_alive) {
  std::shared_ptr<Storage> s(new Storage());
  s->data_ = data;
  s->nbytes_ = nbytes;
  s->device_ = device;
  s->owned_ = false;
  s->keep_alive_ = std::move(keep_alive);
  return s;
}

std::shared_ptr<Storage> Storage::adopt(void* data, std::size_t nbytes, Device device,
                                        Deleter deleter, bool pinned) {
  std::shared_ptr<Storage> s(new Storage());
  s->data_ = data;
  s->nbytes_ = nbytes;
  s->device_ = device;
  s->owned_ = true;
  s->pinned_ = pinned;
  s->deleter_ = std::move(deleter);
  return s;
}

Storage::~Storage() {
  if (owned_ && deleter_ && data_) deleter_(data_);
}

}  // namespace parity::core
