// cloudwatch::AlarmAction: what an alarm can notify or invoke when it
// changes state (aws-cdk's IAlarmAction). cloudwatch owns this interface;
// the targets implement it (sns::Topic, lambda::Function, ...), so an alarm
// needs no header of the services it acts on and a new kind of target is a
// change to that target's service only.
#pragma once

#include "drsynth/core/value.hpp"

namespace drsynth {
class Construct;
}

namespace drsynth::cloudwatch {

class AlarmAction {
 public:
  virtual ~AlarmAction() = default;

  // The ARN that goes into the alarm's AlarmActions / OKActions. A target
  // that must allow the alarm to invoke it (a Lambda function) adds that
  // here: `alarm` is the Alarm construct, `alarm_arn` its ARN.
  [[nodiscard]] virtual Value bind_to_alarm(Construct& alarm, const Value& alarm_arn) = 0;

 protected:
  AlarmAction() = default;
  AlarmAction(const AlarmAction&) = default;
  AlarmAction& operator=(const AlarmAction&) = default;
};

}  // namespace drsynth::cloudwatch
