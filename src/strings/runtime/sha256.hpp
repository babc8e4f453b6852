// SHA-256 (FIPS 180-4) for the keys and checksums of the runtime formula cache (src/strings/runtime/cache.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kokkeops::strings::runtime {

/// An incremental SHA-256: add() bytes in any pieces, then hex() once.
class Sha256 {
 public:
  Sha256();
  void add(const void* data, std::size_t size);
  void add(std::string_view s) { add(s.data(), s.size()); }
  /// The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex();

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t used_ = 0;
  std::uint64_t bytes_ = 0;
};

/// The SHA-256 of a string, as hex.
std::string sha256_hex(std::string_view s);

/// The SHA-256 of a file's bytes, as hex; empty if it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace kokkeops::strings::runtime
