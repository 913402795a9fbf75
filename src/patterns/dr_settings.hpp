// The rules between the DR system's settings (internal): checked on the
// settings read from the context (naming each key and its origin) and again
// on the props the constructor gets (naming each prop), before any part is
// built, since a part built from them would fail again (the secret's replica
// region, the peering).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/error.hpp"
#include "drsynth/patterns/postgres_disaster_recovery.hpp"

namespace drsynth::patterns::detail {

// `name(key)` is how a message shows a setting: "setting 'drRegion' (-c)" or
// "dr_region (setting drRegion)". Diagnostics are at `path`.
[[nodiscard]] std::vector<Diagnostic> check_together(const PostgresDisasterRecoveryProps& p, const std::string& path,
                                                     const std::function<std::string(std::string_view)>& name);

}  // namespace drsynth::patterns::detail
