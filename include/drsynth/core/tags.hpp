// Tags::of(scope).add(key, value): tags every taggable resource below scope.
#pragma once

#include <string>

#include "drsynth/core/construct.hpp"

namespace drsynth {

class Tags {
 public:
  static Tags of(Construct& scope) { return Tags(scope); }
  // A tag set closer to a resource wins over one set higher up; a Tags
  // property set on the resource itself wins over both.
  Tags& add(std::string key, std::string value) {
    scope_->set_tag(std::move(key), std::move(value));
    return *this;
  }

 private:
  explicit Tags(Construct& scope) : scope_(&scope) {}
  Construct* scope_;
};

}  // namespace drsynth
