// Umbrella header: the whole public API of drsynth.
#pragma once

#include "drsynth/app.hpp"
#include "drsynth/assertions.hpp"
#include "drsynth/asset.hpp"
#include "drsynth/cfn_element.hpp"
#include "drsynth/cfn_output.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/cli.hpp"
#include "drsynth/construct.hpp"
#include "drsynth/error.hpp"
#include "drsynth/logical_id.hpp"
#include "drsynth/removal_policy.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"
#include "drsynth/tags.hpp"
#include "drsynth/value.hpp"
#include "drsynth/version.hpp"
