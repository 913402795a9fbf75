// MD5 and SHA-256 from libcrypto's low-level functions (SHA256_Init/Update/
// Final, MD5_*). They are deprecated in OpenSSL 3 but kept, and they hash
// without the provider machinery: the EVP interface loads and initializes the
// default provider on first use (about 5 M instructions, most of the fixed
// cost of a `drsynth synth` process) to run the same assembly code.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drsynth::detail {

[[nodiscard]] std::string md5_hex(std::string_view data);
[[nodiscard]] std::string sha256_hex(std::string_view data);
// The SHA-256 of what is left to read from `fd` (read to its end; not
// closed), or nullopt when a read fails.
[[nodiscard]] std::optional<std::string> sha256_hex_of_fd(int fd);

}  // namespace drsynth::detail
