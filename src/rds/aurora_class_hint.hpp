// What to say about an instance class Aurora PostgreSQL does not offer
// (internal): the sizes it does offer of that family, or that it offers none.
#pragma once

#include <string>
#include <string_view>

namespace drsynth::rds::detail {

// "Aurora PostgreSQL offers db.r6id only as db.r6id.24xlarge, db.r6id.32xlarge",
// "Aurora PostgreSQL offers no db.x2iedn class; db.serverless, or a class of ...".
[[nodiscard]] std::string aurora_class_hint(std::string_view instance_class);

}  // namespace drsynth::rds::detail
