// JsonText: appends JSON to one growing buffer in exactly the layout of
// nlohmann::json::dump(2) (2-space indent, "key": value, members in the order
// written). Every file drsynth writes goes through it: templates straight from
// the construct tree (stack_writer.cpp), tree.json, manifest.json and nlohmann
// documents (to_file_text). Text that is not UTF-8 throws Error E401 (without
// a path: the caller knows which construct it was writing). Not part of the
// public API.
//
// A container is written as
//   bool first = true;
//   w.open('{');
//   w.key("a", indent + 2, first); w.integer(1);
//   w.close('}', indent, first);
// which gives "{}" when nothing was written between open and close.
//
// The hot path is inline stores into spare room of the string, not
// std::string's push_back/append (out-of-line calls for every brace, quote
// and indent).
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "drsynth/core/error.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::detail {

class JsonText {
 public:
  // Appends to `out`. While the JsonText lives, `out` holds spare room past
  // the text (writes are plain stores, not std::string calls); the destructor
  // trims it, so write only through the JsonText until it is gone.
  explicit JsonText(std::string& out) : out_(out) {
    cur_ = out_.data() + out_.size();
    end_ = cur_;
    grow(0);
  }
  ~JsonText() { out_.resize(size()); }
  JsonText(const JsonText&) = delete;
  JsonText& operator=(const JsonText&) = delete;

  // Bytes written so far (including what `out` held before).
  [[nodiscard]] std::size_t size() const noexcept { return static_cast<std::size_t>(cur_ - out_.data()); }

  void raw(std::string_view s) {
    room(s.size());
    std::memcpy(cur_, s.data(), s.size());
    cur_ += s.size();
  }
  void put(char c) {
    room(1);
    *cur_++ = c;
  }

  void open(char brace) { put(brace); }
  // Starts an object member: separator, newline, indentation, "key": .
  void key(std::string_view k, std::size_t indent, bool& first) {
    item(indent, first);
    string(k);
    room(2);
    *cur_++ = ':';
    *cur_++ = ' ';
  }
  // Starts an array item: separator, newline, indentation.
  void item(std::size_t indent, bool& first) {
    room(indent + 2);
    if (!first) *cur_++ = ',';
    first = false;
    *cur_++ = '\n';
    std::memset(cur_, ' ', indent);
    cur_ += indent;
  }
  // Ends a container whose opening brace is at `indent`.
  void close(char brace, std::size_t indent, bool first) {
    room(indent + 2);
    if (!first) {
      *cur_++ = '\n';
      std::memset(cur_, ' ', indent);
      cur_ += indent;
    }
    *cur_++ = brace;
  }

  void null() { raw("null"); }
  void boolean(bool b) { raw(b ? std::string_view("true") : std::string_view("false")); }
  void integer(std::int64_t v) { digits(v); }
  void unsigned_integer(std::uint64_t v) { digits(v); }
  // Floats are rare in templates: nlohmann's own shortest round-trip form.
  void number(double d) { raw(nlohmann::json(d).dump()); }

  // A quoted, escaped string; bytes above 0x7F are copied once checked as
  // UTF-8 (what nlohmann's dump() accepts), else Error E401.
  void string(std::string_view s) {
    // Most strings need no escape: one copy, after one scan.
    if (plain(s)) {
      room(s.size() + 2);
      *cur_++ = '"';
      std::memcpy(cur_, s.data(), s.size());
      cur_ += s.size();
      *cur_++ = '"';
      return;
    }
    escaped(s);
  }

 private:
  // Bytes that need an escape (< 0x20, '"', '\\') or a UTF-8 check (>= 0x80).
  static constexpr std::array<bool, 256> special = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    return t;
  }();

  // True when no byte of s needs an escape or a UTF-8 check: eight bytes at a
  // time (a bit trick per byte lane), the rest one by one.
  static bool plain(std::string_view s) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t x = 0;
      std::memcpy(&x, s.data() + i, 8);
      const std::uint64_t quote = x ^ (ones * '"');
      const std::uint64_t backslash = x ^ (ones * '\\');
      // A lane is flagged when its byte is < 0x20, or zero after the xor, or has its high bit set.
      const std::uint64_t flagged = ((x - ones * 0x20) | (quote - ones) | (backslash - ones) | x) & highs;
      if (flagged != 0) return false;
    }
    for (; i < s.size(); ++i)
      if (special[static_cast<unsigned char>(s[i])]) return false;
    return true;
  }

  void escaped(std::string_view s) {
    put('"');
    std::size_t run = 0;  // start of the bytes not yet copied
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (!special[c]) continue;
      if (c >= 0x80) {
        const std::size_t n = utf8_sequence(s, i);
        if (n == 0) invalid_utf8(s, i);
        i += n - 1;
        continue;
      }
      raw(s.substr(run, i - run));
      run = i + 1;
      switch (c) {
        case '\b': raw("\\b"); break;
        case '\t': raw("\\t"); break;
        case '\n': raw("\\n"); break;
        case '\f': raw("\\f"); break;
        case '\r': raw("\\r"); break;
        case '"': raw("\\\""); break;
        case '\\': raw("\\\\"); break;
        default: {
          static constexpr char hex[] = "0123456789abcdef";
          const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
          raw(std::string_view(esc, sizeof esc));
        }
      }
    }
    raw(s.substr(run));
    put('"');
  }

  // The length of the valid UTF-8 sequence at s[i] (a lead byte >= 0x80), or
  // 0: what nlohmann's dump() accepts (no overlong forms, no surrogates,
  // nothing above U+10FFFF).
  static std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0U; };
    const unsigned c = byte(0);
    auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
    if (in(c, 0xC2, 0xDF)) return in(byte(1), 0x80, 0xBF) ? 2 : 0;
    if (in(c, 0xE0, 0xEF)) {
      const unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
      const unsigned hi = c == 0xED ? 0x9F : 0xBF;
      return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    }
    if (in(c, 0xF0, 0xF4)) {
      const unsigned lo = c == 0xF0 ? 0x90 : 0x80;
      const unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
      return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
  }

  [[noreturn]] static void invalid_utf8(std::string_view s, std::size_t i) {
    static constexpr char hex[] = "0123456789ABCDEF";
    const auto c = static_cast<unsigned char>(s[i]);
    throw Error(Diagnostic{codes::E401, Severity::error, "", "a value is not valid UTF-8",
                           "invalid UTF-8 byte at index " + std::to_string(i) + ": 0x" + hex[c >> 4] + hex[c & 0xF],
                           "UTF-8 text"});
  }

  template <typename Int>
  void digits(Int v) {
    room(24);
    cur_ = std::to_chars(cur_, cur_ + 24, v).ptr;
  }

  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - cur_) < n) grow(n);
  }
  // The spare room is zero-filled by resize(): add it in steps that grow with
  // the text but stay within a few pages, so that memory reserved and never
  // written is never touched, and small texts stay small.
  void grow(std::size_t n) {
    const std::size_t used = size();
    out_.resize(used + std::max<std::size_t>(n, std::clamp<std::size_t>(used, 256, 16384)));
    cur_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }

  std::string& out_;
  char* cur_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace drsynth::detail
