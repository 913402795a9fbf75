// The fast serializers (synth/internal.hpp) give exactly nlohmann's dump(2).
#include <random>

#include "synth/internal.hpp"
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;

namespace {
std::mt19937 rng(42);
std::string random_string() {
  std::string s;
  const int n = static_cast<int>(rng() % 8);
  for (int i = 0; i < n; ++i) {
    const int k = static_cast<int>(rng() % 7);
    s.push_back(k == 0 ? static_cast<char>(rng() % 0x20) : k == 1 ? '"' : k == 2 ? '\\' : k == 3 ? '\x7f' : k == 4 ? '/' : static_cast<char>('a' + rng() % 26));
  }
  if (rng() % 10 == 0) s += "caf\xc3\xa9 \xe2\x80\x94";
  return s;
}
json random_json(int depth) {
  switch (rng() % (depth > 3 ? 5 : 7)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<std::int64_t>(rng()) - 2'000'000'000LL;
    case 3: return random_string();
    case 4: return static_cast<double>(rng() % 1000) / 7.0;
    case 5: {
      json a = json::array();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) a.push_back(random_json(depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) o[random_string()] = random_json(depth + 1);
      return o;
    }
  }
}
}  // namespace

TEST_CASE("the template serializer writes exactly what nlohmann dump(2) writes", "[synth]") {
  for (int i = 0; i < 5000; ++i) {
    const json j = random_json(0);
    REQUIRE(to_file_text(j) == j.dump(2) + "\n");
  }
  const json big = json{{"n", std::numeric_limits<std::uint64_t>::max()}, {"m", std::numeric_limits<std::int64_t>::min()}};
  CHECK(to_file_text(big) == big.dump(2) + "\n");
  CHECK_THROWS_AS(to_file_text(json(std::string("a\xff"))), Error);
}

TEST_CASE("tree.json written directly equals the serialized tree document", "[synth]") {
  App app({.read_environment = false});
  for (int i = 0; i < 3; ++i)
    app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery" + std::to_string(i * 5),
                                                {.environment_suffix = "s" + std::to_string(i)});
  CHECK(internal::tree_text(app) == internal::dump_checked(internal::tree_json(app), ""));
}

TEST_CASE("the built-in MD5 and SHA-256 give the standard digests", "[synth]") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(md5_hex("The quick brown fox jumps over the lazy dog") == "9e107d9d372bb6826bd81d3542a419d6");
  CHECK(md5_hex(std::string(1'000'000, 'a')) == "7707d6ae4e027c70eea2a935c2296f21");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1'000'000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
