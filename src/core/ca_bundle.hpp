// CA bundles (the probes' probeCaBundle): read through the bounded reader and
// parsed as X.509 certificates with libcrypto, so that a FIFO, a device, a
// huge file or PEM markers around anything but certificates are refused.
#pragma once

#include <optional>
#include <string>

namespace drsynth::detail {

// At most this many bytes (the Amazon RDS bundle is about 170 KB).
inline constexpr std::size_t max_ca_bundle_bytes = 4u * 1024 * 1024;

// Why the file at `path` is not a bundle of PEM certificates ("cannot be read:
// ...", "is a FIFO (named pipe), not a regular file", "holds no PEM
// certificate", "holds a PEM certificate that does not parse (certificate 2)"),
// or nullopt when every PEM block in it is an X.509 certificate.
[[nodiscard]] std::optional<std::string> ca_bundle_problem(const std::string& path);

}  // namespace drsynth::detail
