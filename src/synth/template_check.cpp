// The template pass after the stack writer: what CloudFormation would refuse
// in a template that every element wrote correctly by itself, because of how
// they fit together or of an override (an escape hatch writes any JSON):
//
//   E231  a Ref, Fn::GetAtt, Fn::Sub variable or DependsOn naming no resource
//         (or parameter) of the template: a construct built outside add<>,
//         a dangling {"Ref": "Nope"} from an override
//   E232  a resource that depends on itself, or resources of one stack that
//         depend on each other in a cycle (through Ref, Fn::GetAtt, Fn::Sub
//         or DependsOn), naming each construct on the cycle
//   E233  a resource type that is not Service::Name::Type-shaped
//   E234  a template whose shape CloudFormation refuses: a resource that is
//         not an object or has no Type, Type not a string, Properties not an
//         object, DependsOn not names, an unknown resource attribute, a
//         DeletionPolicy/UpdateReplacePolicy CloudFormation does not know, an
//         empty key
//
// (A stack without resources, E235, is check_assembly's: it counts them.)
// It reads the template text once (a small pull scanner, no document is
// built), so it costs about as much as copying the text.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/char_rules.hpp"
#include "core/sub_names.hpp"
#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/internal.hpp"

namespace drsynth::detail {

namespace {

// The events of a JSON text, one at a time. The text is drsynth's own output,
// so it is valid JSON; a scanner that meets something else stops.
class Scanner {
 public:
  enum class Event { begin_object, end_object, begin_array, end_array, key, string, scalar, end };
  explicit Scanner(std::string_view text) : text_(text) {}

  Event next() {
    skip_space();
    if (pos_ >= text_.size()) return Event::end;
    const char c = text_[pos_];
    switch (c) {
      case '{': ++pos_; expect_key_ = true; return Event::begin_object;
      case '}': ++pos_; expect_key_ = false; return Event::end_object;
      case '[': ++pos_; expect_key_ = false; return Event::begin_array;
      case ']': ++pos_; return Event::end_array;
      case ',':
        ++pos_;
        return next_after_comma();
      case '"':
        read_string();
        if (expect_key_) {
          skip_space();
          if (pos_ < text_.size() && text_[pos_] == ':') ++pos_;
          expect_key_ = false;
          return Event::key;
        }
        return Event::string;
      default:
        scalar_.clear();
        while (pos_ < text_.size() && std::string_view(",}] \n\r\t").find(text_[pos_]) == std::string_view::npos)
          scalar_.push_back(text_[pos_++]);
        if (scalar_.empty()) {
          pos_ = text_.size();
          return Event::end;
        }
        return Event::scalar;
    }
  }
  // The string or key just read (unescaped), or the scalar's text.
  [[nodiscard]] const std::string& text() const { return string_; }
  [[nodiscard]] const std::string& scalar() const { return scalar_; }
  // After begin_object / end of a member: whether the next string is a key.
  void in_object(bool yes) { in_object_ = yes; }

 private:
  Event next_after_comma() {
    expect_key_ = in_object_;
    return next();
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  }
  unsigned code_unit() {
    unsigned u = 0;
    for (int k = 0; k < 4 && pos_ < text_.size(); ++k) u = u * 16 + static_cast<unsigned>(hex(text_[pos_++]));
    return u;
  }
  void append_utf8(unsigned cp) {
    if (cp < 0x80) {
      string_.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      string_.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      string_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      string_.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      string_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      string_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      string_.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      string_.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      string_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      string_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  void read_string() {
    string_.clear();
    ++pos_;  // "
    while (pos_ < text_.size()) {
      const auto end = text_.find_first_of("\"\\", pos_);
      if (end == std::string_view::npos) {
        pos_ = text_.size();
        return;
      }
      string_.append(text_.substr(pos_, end - pos_));
      pos_ = end + 1;
      if (text_[end] == '"') return;
      if (pos_ >= text_.size()) return;
      const char e = text_[pos_++];
      switch (e) {
        case 'n': string_.push_back('\n'); break;
        case 't': string_.push_back('\t'); break;
        case 'r': string_.push_back('\r'); break;
        case 'b': string_.push_back('\b'); break;
        case 'f': string_.push_back('\f'); break;
        case 'u': {
          unsigned cp = code_unit();
          if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 6 <= text_.size() && text_[pos_] == '\\' && text_[pos_ + 1] == 'u') {
            pos_ += 2;
            const unsigned low = code_unit();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(cp);
          break;
        }
        default: string_.push_back(e);
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool expect_key_ = false;
  bool in_object_ = false;
  std::string string_;
  std::string scalar_;
};

// What a name in the template is used as.
enum class Use { ref, get_att, sub, depends_on };

struct Use_ {
  Use use;
  std::string name;
};

struct Entry {
  std::string section;
  std::string id;
  std::vector<Use_> uses;
};

bool type_shaped(std::string_view t) {
  auto part = [](std::string_view p) { return !p.empty() && std::all_of(p.begin(), p.end(), is_alnum); };
  if (t.starts_with("Custom::")) {
    const auto name = t.substr(8);
    return !name.empty() && name.size() <= 60 && std::all_of(name.begin(), name.end(), [](char c) {
      return is_alnum(c) || c == '_' || c == '@' || c == '-';
    });
  }
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto sep = t.find("::", start);
    parts.push_back(t.substr(start, sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 2;
  }
  return (parts.size() == 3 || parts.size() == 4) && std::all_of(parts.begin(), parts.end(), part);
}

void sub_names(const std::string& text, std::vector<std::string>& out) {
  for_each_sub_name(text, [&](std::string name, const std::string&) { out.push_back(std::move(name)); });
}

class Checker {
 public:
  Checker(const Stack& s, std::vector<Diagnostic>& errors) : stack_(s), errors_(errors) {
    for (const CfnElement* e : s.elements()) paths_.emplace(e->logical_id(), e);
  }

  void run(std::string_view text) {
    scan(text);
    check_names();
    check_cycles();
  }

 private:
  struct Frame {
    bool object;
    std::string key;        // the member name this container is the value of ("" in an array)
    int intrinsic = 0;      // 1: Fn::GetAtt array, 2: Fn::Sub array, 3: DependsOn array
    std::size_t items = 0;
    std::string sub_text{};
    std::set<std::string> sub_vars{};
  };

  [[nodiscard]] std::string path_of(const std::string& id) const {
    const auto it = paths_.find(id);
    return it != paths_.end() ? it->second->path() : stack_.path() + "/" + id;
  }

  void error(ErrorCode code, std::string path, std::string message, std::string got, std::string expected) {
    errors_.push_back({code, Severity::error, std::move(path), std::move(message), std::move(got), std::move(expected)});
  }

  void shape(const std::string& what, const std::string& got, const std::string& expected) {
    error(codes::E234, path_of(entry_.id), "the " + entry_.section + " entry " + entry_.id + " " + what +
                                          ": CloudFormation refuses the template",
          got, expected);
  }

  // A value at depth 3 (an attribute of a Resources entry), by its key.
  void resource_attribute_value(const std::string& key, Scanner::Event e, const std::string& value) {
    const bool is_string = e == Scanner::Event::string;
    const std::string got = e == Scanner::Event::begin_object  ? "an object"
                            : e == Scanner::Event::begin_array ? "an array"
                            : is_string                        ? "\"" + value + "\""
                                                               : value;
    if (key == "Type") {
      has_type_ = true;
      if (!is_string)
        shape("has a Type that is not a string", got, "a resource type such as AWS::SNS::Topic");
      else if (!type_shaped(value))
        error(codes::E233, path_of(entry_.id), "the resource type is not Service::Name::Type-shaped", got,
              "a type such as AWS::SNS::Topic or Custom::Name");
    } else if (key == "Properties" || key == "Metadata" || key == "CreationPolicy" || key == "UpdatePolicy") {
      if (e != Scanner::Event::begin_object) shape("has " + key + " that is not an object", got, "an object");
    } else if (key == "DeletionPolicy") {
      if (!is_string || (value != "Delete" && value != "Retain" && value != "RetainExceptOnCreate" && value != "Snapshot"))
        shape("has a DeletionPolicy CloudFormation does not know", got, "Delete, Retain, RetainExceptOnCreate or Snapshot");
    } else if (key == "UpdateReplacePolicy") {
      if (!is_string || (value != "Delete" && value != "Retain" && value != "Snapshot"))
        shape("has an UpdateReplacePolicy CloudFormation does not know", got, "Delete, Retain or Snapshot");
    } else if (key == "Condition") {
      if (!is_string) shape("has a Condition that is not a name", got, "the name of a condition");
    } else if (key == "DependsOn") {
      if (e != Scanner::Event::string && e != Scanner::Event::begin_array)
        shape("has a DependsOn that is not a name or a list of names", got, "logical IDs of resources");
    } else {
      shape("has an attribute CloudFormation does not know", "\"" + key + "\"",
            "Type, Properties, DependsOn, DeletionPolicy, UpdateReplacePolicy, Condition, Metadata, CreationPolicy "
            "or UpdatePolicy");
    }
  }

  void use(Use u, std::string name) {
    if (!entry_.id.empty()) entries_.back().uses.push_back({u, std::move(name)});
  }

  // A value begins at depth frames_.size() (after its key, or as an array item).
  void value(Scanner::Event e, const std::string& v) {
    const std::size_t depth = frames_.size();
    Frame* parent = frames_.empty() ? nullptr : &frames_.back();
    const std::string key = parent != nullptr && parent->object ? last_key_ : std::string();
    if (depth == 1 && (key == "Resources" || key == "Outputs") && e != Scanner::Event::begin_object)
      error(codes::E234, stack_.path(), "the template's " + key + " is not an object: CloudFormation refuses the template",
            e == Scanner::Event::string ? "\"" + v + "\"" : v, "an object of logical IDs");
    if (depth == 2 && section_ == "Resources") {
      if (e != Scanner::Event::begin_object)
        error(codes::E234, path_of(key), "the Resources entry " + key + " is not an object: CloudFormation refuses the template",
              e == Scanner::Event::string ? "\"" + v + "\"" : e == Scanner::Event::begin_array ? "an array" : v,
              "an object with a Type");
    }
    if (depth == 3 && section_ == "Resources") {
      resource_attribute_value(key, e, v);
      if (key == "DependsOn" && e == Scanner::Event::string) use(Use::depends_on, v);
    }
    if (parent == nullptr || (section_ != "Resources" && section_ != "Outputs") || depth < 3) return;
    // Intrinsics: the value of a "Ref", "Fn::GetAtt" or "Fn::Sub" member, the
    // items of a DependsOn list, the first item of a Fn::GetAtt or Fn::Sub list.
    if (parent->object && e == Scanner::Event::string) {
      if (key == "Ref" && !v.starts_with("AWS::")) use(Use::ref, v);
      if (key == "Fn::GetAtt") use(Use::get_att, v.substr(0, v.find('.')));
      if (key == "Fn::Sub") {
        std::vector<std::string> names;
        sub_names(v, names);
        for (auto& n : names) use(Use::sub, std::move(n));
      }
    } else if (!parent->object) {
      const std::size_t index = parent->items++;
      if (parent->intrinsic == 1 && index == 0 && e == Scanner::Event::string) use(Use::get_att, v);
      if (parent->intrinsic == 2 && index == 0 && e == Scanner::Event::string) parent->sub_text = v;
      if (parent->intrinsic == 3 && e == Scanner::Event::string) use(Use::depends_on, v);
      if (parent->intrinsic == 3 && e != Scanner::Event::string)
        shape("has a DependsOn list with an item that is not a name", v.empty() ? "a container" : v, "logical IDs");
    }
  }

  void scan(std::string_view text) {
    Scanner sc(text);
    for (;;) {
      const auto e = sc.next();
      switch (e) {
        case Scanner::Event::end: return;
        case Scanner::Event::key:
          last_key_ = sc.text();
          // Metadata is free-form JSON: an empty key there is CloudFormation's to accept.
          if (last_key_.empty() && section_ != "Metadata" && !(frames_.size() >= 3 && frames_[2].key == "Metadata"))
            error(codes::E234, entry_.id.empty() ? stack_.path() : path_of(entry_.id),
                  "the template has an empty key" + (entry_.id.empty() ? std::string() : " in " + entry_.section + " entry " + entry_.id) +
                      ": CloudFormation refuses the template",
                  "\"\"", "a non-empty name");
          if (frames_.size() == 1) section_ = last_key_;
          if (frames_.size() == 2) {
            entry_ = {section_, last_key_, {}};
            entries_.push_back(entry_);
            has_type_ = false;
            if (section_ == "Resources") resources_.insert(last_key_);
            if (section_ == "Parameters") parameters_.insert(last_key_);
          }
          break;
        case Scanner::Event::string:
        case Scanner::Event::scalar:
          value(e, e == Scanner::Event::string ? sc.text() : sc.scalar());
          sc.in_object(!frames_.empty() && frames_.back().object);
          break;
        case Scanner::Event::begin_object:
        case Scanner::Event::begin_array: {
          value(e, {});
          Frame f{.object = e == Scanner::Event::begin_object,
                  .key = !frames_.empty() && frames_.back().object ? last_key_ : std::string()};
          if (!f.object && frames_.size() >= 3) {
            if (f.key == "Fn::GetAtt") f.intrinsic = 1;
            if (f.key == "Fn::Sub") f.intrinsic = 2;
            if (f.key == "DependsOn" && frames_.size() == 3 && section_ == "Resources") f.intrinsic = 3;
          }
          // The variables of Fn::Sub: the keys of the object second in its list.
          const bool sub_vars = f.object && !frames_.empty() && frames_.back().intrinsic == 2 && frames_.back().items == 2;
          frames_.push_back(std::move(f));
          frames_.back().intrinsic = sub_vars ? 4 : frames_.back().intrinsic;
          sc.in_object(frames_.back().object);
          break;
        }
        case Scanner::Event::end_object:
        case Scanner::Event::end_array: {
          if (frames_.empty()) return;
          Frame done = std::move(frames_.back());
          frames_.pop_back();
          if (done.intrinsic == 2) {
            std::vector<std::string> names;
            sub_names(done.sub_text, names);
            for (auto& n : names)
              if (!done.sub_vars.contains(n)) use(Use::sub, std::move(n));
          }
          if (frames_.size() == 2 && section_ == "Resources" && !has_type_ && done.object)
            shape("has no Type", "no Type", "a resource type such as AWS::SNS::Topic");
          if (frames_.size() == 2) entry_ = {};
          if (frames_.size() == 1) section_.clear();
          sc.in_object(!frames_.empty() && frames_.back().object);
          break;
        }
      }
      // Keys of a Fn::Sub variable map are recorded in the list's frame.
      if (e == Scanner::Event::key && frames_.size() >= 2 && frames_.back().intrinsic == 4)
        frames_[frames_.size() - 2].sub_vars.insert(last_key_);
    }
  }

  void check_names() {
    for (const auto& en : entries_) {
      if (en.section != "Resources" && en.section != "Outputs") continue;
      std::set<std::pair<int, std::string>> reported;
      for (const auto& u : en.uses) {
        const bool resource = resources_.contains(u.name);
        const bool known = resource || (u.use != Use::get_att && u.use != Use::depends_on && parameters_.contains(u.name));
        if (u.use == Use::depends_on && u.name == en.id && en.section == "Resources") {
          error(codes::E232, path_of(en.id), "the resource depends on itself: CloudFormation refuses the template",
                "DependsOn " + u.name, "DependsOn other resources of the stack");
          continue;
        }
        if (known || !reported.insert({static_cast<int>(u.use), u.name}).second) continue;
        const char* how = u.use == Use::ref       ? "Ref"
                          : u.use == Use::get_att ? "Fn::GetAtt"
                          : u.use == Use::sub     ? "Fn::Sub"
                                                  : "DependsOn";
        error(codes::E231, path_of(en.id),
              std::string(how) + " names " + u.name + ", which is not a " +
                  (u.use == Use::ref || u.use == Use::sub ? "resource or parameter" : "resource") + " of stack " +
                  stack_.stack_name() + " (a construct built outside add<>, or an override?)",
              std::string(how) + " " + u.name,
              u.use == Use::ref || u.use == Use::sub ? "a logical ID of the template's Resources or Parameters"
                                                     : "a logical ID of the template's Resources");
      }
    }
  }

  void check_cycles() {
    // Edges between the stack's resources, then an iterative depth-first search.
    std::map<std::string, std::vector<std::string>> edges;
    for (const auto& en : entries_) {
      if (en.section != "Resources") continue;
      auto& out = edges[en.id];
      for (const auto& u : en.uses)
        if (resources_.contains(u.name) && !(u.use == Use::depends_on && u.name == en.id)) out.push_back(u.name);
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    }
    std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
    std::set<std::string> reported;
    for (const auto& [start, _] : edges) {
      if (state[start] != 0) continue;
      std::vector<std::pair<std::string, std::size_t>> path{{start, 0}};
      state[start] = 1;
      while (!path.empty()) {
        auto& [node, next] = path.back();
        const auto& out = edges[node];
        if (next >= out.size()) {
          state[node] = 2;
          path.pop_back();
          continue;
        }
        const std::string to = out[next++];
        if (state[to] == 1) {
          // A cycle: from `to` on the path to here.
          auto from = std::find_if(path.begin(), path.end(), [&](const auto& p) { return p.first == to; });
          std::vector<std::string> cycle;
          for (auto it = from; it != path.end(); ++it) cycle.push_back(it->first);
          std::string text, paths;
          for (const auto& id : cycle) {
            text += id + " -> ";
            paths += (paths.empty() ? "" : ", ") + path_of(id);
          }
          text += to;
          if (reported.insert(*std::min_element(cycle.begin(), cycle.end())).second)
            error(codes::E232, path_of(to),
                  cycle.size() == 1 ? "the resource refers to itself: CloudFormation refuses the template"
                                    : "resources of stack " + stack_.stack_name() +
                                          " depend on each other in a cycle (" + paths + "): CloudFormation refuses the template",
                  text, "no cycle of Ref, Fn::GetAtt, Fn::Sub and DependsOn between the resources of a stack");
        } else if (state[to] == 0) {
          state[to] = 1;
          path.emplace_back(to, 0);
        }
      }
    }
  }

  const Stack& stack_;
  std::vector<Diagnostic>& errors_;
  std::unordered_map<std::string, const CfnElement*> paths_;
  std::vector<Frame> frames_;
  std::string last_key_;
  std::string section_;
  Entry entry_;
  bool has_type_ = false;
  std::vector<Entry> entries_;
  std::set<std::string> resources_;
  std::set<std::string> parameters_;
};

}  // namespace

void check_template(const Stack& s, std::string_view text, std::vector<Diagnostic>& errors) {
  Checker(s, errors).run(text);
}

}  // namespace drsynth::detail
