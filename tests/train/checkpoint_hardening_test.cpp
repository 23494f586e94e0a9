// Checkpoints against hostile files, partial restores and failing systems: the strict
// safetensors format, bounded memory and messages, all-or-nothing restores, error kinds.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>
#include <tuple>

#include "../../train/src/safetensors.h"
#include "../../train/src/safetensors_io.h"
#include "../../train/src/saver_testing.h"
#include "checkpoint_files.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using namespace checkpoint_files;

std::string entry(const std::string& key, const std::string& dtype, const std::string& shape, uint64_t begin,
                  uint64_t end) {
  return "\"" + key + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(begin) + "," + std::to_string(end) + "]}";
}

// 1.0f and 2.0f, little-endian
const std::string kOneTwo("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("JSON nested 100,000 levels deep in a header is a DataLossError, not a stack overflow") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::zeros_initializer());
  tf::Session sess(f.g);
  const std::string deep = std::string(100000, '[') + "1" + std::string(100000, ']');
  const std::vector<std::tuple<std::string, std::string, std::string>> files = {
      {"dtype", "{\"v\":{\"dtype\":" + deep + ",\"shape\":[2],\"data_offsets\":[0,8]}}", "dtype is an array"},
      {"a shape element", "{\"v\":{\"dtype\":\"F32\",\"shape\":[" + deep + "],\"data_offsets\":[0,8]}}",
       "dimension that is an array"},
      {"data_offsets", "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + deep + "}}",
       "data offset that is an array"},
      {"an ignored field",
       "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":" + deep + "}}",
       "nests deeper than 64 levels"},
      {"__metadata__", "{\"__metadata__\":" + deep + "}", "__metadata__ is an array"},
      {"a __metadata__ value", "{\"__metadata__\":{\"a\":" + deep + "}}", "__metadata__ value is an array"},
  };
  for (const auto& [name, json, words] : files) {
    INFO(name);
    write_bytes(dir.file("deep"), header_file(json, kOneTwo));
    REQUIRE_THROWS_AS(tf::train::Saver({v}).restore(sess, dir.file("deep")), tf::DataLossError);
    const std::string msg = error_of([&] { tf::train::Saver({v}).restore(sess, dir.file("deep")); });
    CHECK_THAT(msg, Catch::Contains(words));
    CHECK(msg.size() < 400);  // the JSON is described, never dumped
  }
}

TEST_CASE("restore reads the header and the entries it needs, whatever the file's size") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::zeros_initializer());
  tf::Session sess(f.g);
  tf::train::Saver saver({v});
  const std::string path = dir.file("sparse");
  const auto sized = [&](const std::string& bytes, uint64_t size) {
    write_bytes(path, bytes);
    REQUIRE(::truncate(path.c_str(), static_cast<off_t>(size)) == 0);  // a sparse file: no disk, no time
  };
  const auto start = std::chrono::steady_clock::now();
  // 1 GiB and 2 TiB of junk after a valid header: trailing bytes, found from the header alone
  for (uint64_t size : {uint64_t{1} << 30, uint64_t{1} << 41}) {
    sized(header_file("{" + entry("v", "F32", "[2]", 0, 8) + "}", kOneTwo), size);
    REQUIRE_THROWS_MATCHES(saver.restore(sess, path), tf::DataLossError, Has("trailing bytes"));
  }
  // a valid 2 TiB file: v is read, the 2 TiB entry beside it is not
  std::string json;
  for (uint64_t big = 0;;) {
    json = "{" + entry("v", "F32", "[2]", 0, 8) + "," +
           entry("big", "U8", "[" + std::to_string(big) + "]", 8, 8 + big) + "}";
    const uint64_t want = (uint64_t{1} << 41) - 8 - json.size() - 8;
    if (big == want) break;
    big = want;
  }
  sized(header_file(json, kOneTwo), uint64_t{1} << 41);
  saver.restore(sess, path);
  CHECK(values(sess.run(v)) == std::vector<float>{1.f, 2.f});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  // a header length past the limit is refused before anything is allocated for it
  sized(std::string("\x01\x00\x00\x10\x00\x00\x00\x00", 8), uint64_t{1} << 30);
  REQUIRE_THROWS_MATCHES(saver.restore(sess, path), tf::DataLossError,
                         Has("exceeds the limit of 100000000 bytes"));
}

TEST_CASE("a header with more than 100000 keys is refused, naming the limit, in a short message") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::zeros_initializer());
  tf::Session sess(f.g);
  const auto file_with = [&](size_t empties) {
    std::string json = "{" + entry("v", "F32", "[2]", 0, 8);
    for (size_t i = 0; i < empties; ++i) json += "," + entry("e" + std::to_string(i), "F32", "[0]", 8, 8);
    write_bytes(dir.file("many"), header_file(json + "}", kOneTwo));
  };
  file_with(100000);
  const std::string msg = error_of([&] { tf::train::Saver({v}).restore(sess, dir.file("many")); });
  CHECK_THAT(msg, Catch::Contains("more than 100000 keys, the limit"));
  CHECK(msg.size() < 300);
  file_with(99999);  // at the limit: fine, and the others are not the Saver's business
  tf::train::Saver({v}).restore(sess, dir.file("many"));
  CHECK(values(sess.run(v)) == std::vector<float>{1.f, 2.f});
}

TEST_CASE("restore errors list the first 10 problems and count the rest") {
  TempDir dir;
  FreshGraph f;
  std::vector<tf::Variable> vars;
  for (int i = 0; i < 25; ++i) vars.push_back(tf::get_variable("w" + std::to_string(100 + i), {2}));
  tf::Session sess(f.g);
  write_bytes(dir.file("none"), header_file("{}", ""));
  REQUIRE_THROWS_MATCHES(tf::train::Saver(vars).restore(sess, dir.file("none")), tf::NotFoundError,
                         Has("  w109 (variable w109, shape [2])\n  ... and 15 more"));
  std::string json = "{";
  for (int i = 0; i < 25; ++i)
    json += (i ? "," : "") + entry("w" + std::to_string(100 + i), "F32", "[0]", 0, 0);
  write_bytes(dir.file("empty"), header_file(json + "}", ""));
  REQUIRE_THROWS_MATCHES(
      tf::train::Saver(vars).restore(sess, dir.file("empty")), tf::InvalidArgumentError,
      Has("w109: the checkpoint has F32 [0], variable w109 is F32 [2]\n  ... and 15 more"));
}

TEST_CASE("a failed restore changes no variable: another dtype, another graph") {
  TempDir dir;
  tf::Graph other;
  tf::Variable foreign;
  {
    tf::Graph::DefaultGuard g(other);
    foreign = tf::get_variable("z", {2});
  }
  FreshGraph f;
  auto a = tf::get_variable("a", {2}, tf::constant_initializer(5.f));
  auto n = tf::get_variable("n", {2}, tf::zeros_initializer(), tf::int32);
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  // "a" sorts first: it would have been set before "n" failed
  write_bytes(dir.file("f32"),
              header_file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("n", "F32", "[2]", 8, 16) + "," +
                              entry("z", "F32", "[2]", 16, 24) + "}",
                          kOneTwo + kOneTwo + kOneTwo));
  REQUIRE_THROWS_MATCHES(tf::train::Saver({a, n}).restore(sess, dir.file("f32")), tf::InvalidArgumentError,
                         Has("n: the checkpoint has F32 [2], variable n is I32 [2]"));
  CHECK(values(sess.run(a)) == std::vector<float>{5.f, 5.f});
  REQUIRE_THROWS_MATCHES(tf::train::Saver({a, foreign}).restore(sess, dir.file("f32")), tf::ValueError,
                         Has("Variables not in this session's graph:\n  z (key z)"));
  CHECK(values(sess.run(a)) == std::vector<float>{5.f, 5.f});
  tf::train::Saver({a}).restore(sess, dir.file("f32"));
  CHECK(values(sess.run(a)) == std::vector<float>{1.f, 2.f});
}

TEST_CASE("restore of a subset ignores the file's other keys and int32 variables round-trip as I32") {
  TempDir dir;
  FreshGraph f;
  auto w = tf::get_variable("w", {2}, tf::constant_initializer(3.f));
  auto step = tf::get_variable("global_step", {}, tf::zeros_initializer(), tf::int32);
  auto missing = tf::get_variable("missing", {1});
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  sess.assign_variable(step.op(), tf::Tensor::from<int32_t>({}, {-123456789}));
  const std::string path = tf::train::Saver({w, step}).save(sess, dir.file("ckpt"));
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(bytes,
             Catch::Contains("\"global_step\":{\"data_offsets\":[0,4],\"dtype\":\"I32\",\"shape\":[]}"));
  sess.assign_variable(step.op(), tf::Tensor::from<int32_t>({}, {7}));
  sess.assign_variable(w.op(), tf::Tensor::from<float>({2}, {0, 0}));
  tf::train::Saver({step}).restore(sess, path);  // "w" is in the file, not in the Saver: fine
  CHECK(sess.run(step).scalar<int32_t>() == -123456789);
  CHECK(values(sess.run(w)) == std::vector<float>{0.f, 0.f});
  REQUIRE_THROWS_MATCHES(tf::train::Saver({w, missing}).restore(sess, path), tf::NotFoundError,
                         Has("Missing keys:\n  missing (variable missing, shape [1])"));
  CHECK(values(sess.run(w)) == std::vector<float>{0.f, 0.f});
  // a PyTorch-style file with dtypes minitf has no variables for (I64, BOOL, F16) still restores its F32s
  write_bytes(
      dir.file("torch"),
      header_file("{" + entry("global_step", "I64", "[]", 8, 16) + "," +
                      entry("mask", "BOOL", "[2]", 16, 18) + "," + entry("half", "F16", "[1]", 18, 20) + "," +
                      entry("w", "F32", "[2]", 0, 8) + ",\"__metadata__\":{\"format\":\"pt\"}}",
                  kOneTwo + std::string(12, '\0')));
  tf::train::Saver({w}).restore(sess, dir.file("torch"));
  CHECK(values(sess.run(w)) == std::vector<float>{1.f, 2.f});
  REQUIRE_THROWS_MATCHES(tf::train::Saver({step}).restore(sess, dir.file("torch")), tf::InvalidArgumentError,
                         Has("global_step: the checkpoint has I64 [], variable global_step is I32 []"));
}

TEST_CASE("the key __metadata__ and keys that are not UTF-8 are refused when the Saver is made") {
  FreshGraph f;
  auto v = tf::get_variable("v", {1});
  // (no op can be named __metadata__: a map is the only way to ask for that key)
  REQUIRE_THROWS_MATCHES(
      tf::train::Saver(std::map<std::string, tf::Variable>{{"a", v}, {"__metadata__", v}}), tf::ValueError,
      Has("Saver cannot save variable v under the key __metadata__: safetensors reserves it"));
  REQUIRE_THROWS_MATCHES(tf::train::Saver(std::map<std::string, tf::Variable>{{"bad\xff", v}}),
                         tf::ValueError, Has("Saver key 'bad\xff' of variable v is not valid UTF-8"));
  REQUIRE_THROWS_MATCHES(tf::train::Saver(std::map<std::string, tf::Variable>{{"", v}}), tf::ValueError,
                         Has("must not be empty"));
}

TEST_CASE("the reader is as strict as the safetensors format") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::zeros_initializer());
  tf::Session sess(f.g);
  tf::train::Saver saver({v});
  const std::string V = entry("v", "F32", "[2]", 0, 8);
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> bad = {
      {"duplicate key", "{" + V + "," + V + "}", kOneTwo, "duplicate key 'v'"},
      {"duplicate __metadata__", "{" + V + ",\"__metadata__\":{},\"__metadata__\":{}}", kOneTwo,
       "duplicate key '__metadata__'"},
      {"duplicate field",
       "{\"v\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", kOneTwo,
       "entry 'v' has two 'dtype' fields"},
      {"duplicate metadata key", "{" + V + ",\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", kOneTwo,
       "__metadata__ has a duplicate key 'a'"},
      {"gap between entries", "{" + V + "," + entry("w", "F32", "[1]", 12, 16) + "}", kOneTwo + kOneTwo,
       "bytes [8, 12) of the data belong to no entry"},
      {"gap at the start", "{" + entry("v", "F32", "[2]", 4, 12) + "}", kOneTwo + "1234", "bytes [0, 4)"},
      {"trailing bytes", "{" + V + "}", kOneTwo + "xyz", "3 trailing bytes"},
      {"no entries but data", "{}", kOneTwo, "8 trailing bytes"},
      {"overlap", "{" + V + "," + entry("w", "F32", "[1]", 4, 8) + "}", kOneTwo, "overlap in bytes [4, 8)"},
      {"__metadata__ not a map", "{" + V + ",\"__metadata__\":\"x\"}", kOneTwo, "__metadata__ is a string"},
      {"__metadata__ number value", "{" + V + ",\"__metadata__\":{\"a\":1}}", kOneTwo,
       "value is a number, not a string"},
      {"__metadata__ object value", "{" + V + ",\"__metadata__\":{\"a\":{}}}", kOneTwo, "value is an object"},
      {"leading space", " {" + V + "}", kOneTwo, "does not begin with '{'"},
      {"trailing junk", "{" + V + "}x", kOneTwo, "not valid JSON"},
      {"a float dimension", "{\"v\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", kOneTwo,
       "a non-integer number"},
      {"three offsets", "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", kOneTwo,
       "more than two data_offsets"},
      {"one offset", "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", kOneTwo,
       "1 data_offsets, not 2"},
      {"entry not an object", "{\"v\":[1,2]}", kOneTwo, "entry 'v' is an array, not an object"},
      {"no shape", "{\"v\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", kOneTwo, "entry 'v' has no shape"},
      {"sub-byte dtype off a byte boundary",
       "{\"v\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,8]}}", kOneTwo,
       "does not end on a byte boundary"},
      {"shape overflow",
       "{\"v\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", kOneTwo,
       "shape too large"},
      {"unknown dtype", "{\"v\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", kOneTwo,
       "unknown dtype 'F99'"},
      {"empty entry past the data", "{" + V + "," + entry("e", "F32", "[0]", 9, 9) + "}", kOneTwo,
       "data_offsets [9, 9] outside the 8 bytes"},
      {"key with control bytes", "{\"a\\u0001b\":1}", "", "entry 'a\\x01b' is a number"},
  };
  for (const auto& [name, json, data, words] : bad) {
    INFO(name);
    write_bytes(dir.file("bad"), header_file(json, data));
    REQUIRE_THROWS_MATCHES(saver.restore(sess, dir.file("bad")), tf::DataLossError, Has(words));
  }
  // what the format allows
  const std::vector<std::pair<std::string, std::string>> good = {
      {"an empty entry with a huge dimension",
       "{" + V + "," + entry("h", "F32", "[4611686018427387904,0]", 8, 8) + "}"},
      {"empty entries anywhere in the data", "{" + V + "," + entry("a", "F32", "[0]", 0, 0) + "," +
                                                 entry("b", "I32", "[3,0]", 4, 4) + "," +
                                                 entry("c", "U8", "[0]", 8, 8) + "}"},
      {"entries out of offset order", "{" + entry("w", "F32", "[0,1]", 8, 8) +
                                          ",\"v\":{\"shape\":[2],\"data_offsets\":[0,8],\"dtype\":\"F32\"}}"},
      {"other fields and metadata",
       "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":{\"y\":[1]}},"
       "\"__metadata__\":{\"format\":\"pt\",\"a\":\"b\"}}   "},
  };
  for (const auto& [name, json] : good) {
    INFO(name);
    sess.assign_variable(v.op(), tf::Tensor(tf::float32, {2}));
    write_bytes(dir.file("good"), header_file(json, kOneTwo));
    saver.restore(sess, dir.file("good"));
    CHECK(values(sess.run(v)) == std::vector<float>{1.f, 2.f});
  }
}

TEST_CASE("the header parser gives DataLossErrors on its own, as the fuzzer calls it") {
  using minitf::detail::parse_safetensors_header;
  const auto index = parse_safetensors_header("{" + entry("v", "F4", "[2,3]", 0, 3) + "}", 3, "t");
  CHECK(index.entries.at("v").shape == std::vector<uint64_t>{2, 3});
  REQUIRE_THROWS_MATCHES(parse_safetensors_header("", 0, "t"), tf::DataLossError,
                         Has("Checkpoint t is corrupt"));
  REQUIRE_THROWS_AS(parse_safetensors_header("{\"a\":\"\xff\"}", 0, "t"), tf::DataLossError);  // not UTF-8
  const std::string long_key(5000, 'k');
  const std::string msg = error_of([&] { parse_safetensors_header("{\"" + long_key + "\":1}", 0, "t"); });
  CHECK_THAT(msg, Catch::Contains("... (5000 bytes)"));
  CHECK(msg.size() < 300);
}

TEST_CASE("concurrent runs see all old or all new values while restores run") {
  TempDir dir;
  FreshGraph f;
  auto a = tf::get_variable("a", {64}, tf::constant_initializer(1.f));
  auto b = tf::get_variable("b", {64}, tf::constant_initializer(1.f));
  auto sum = a.value() + b.value();
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  tf::train::Saver saver({a, b});
  const std::string ones = saver.save(sess, dir.file("ones"));
  sess.assign_variable(a.op(), tf::Tensor::from<float>({64}, std::vector<float>(64, 2.f)));
  sess.assign_variable(b.op(), tf::Tensor::from<float>({64}, std::vector<float>(64, 2.f)));
  const std::string twos = saver.save(sess, dir.file("twos"));
  std::atomic<bool> done{false};
  std::atomic<int> mixed{0}, runs{0};
  std::thread runner([&] {
    while (!done) {
      const auto out = sess.run({a.value(), b.value(), sum});
      for (int i = 0; i < 64; ++i) {
        const float x = out[0].data<float>()[i];
        if (out[1].data<float>()[i] != x || out[2].data<float>()[i] != 2 * x || out[0].data<float>()[0] != x)
          ++mixed;
      }
      ++runs;
    }
  });
  for (int i = 0; i < 200 || runs < 50; ++i) saver.restore(sess, i % 2 ? ones : twos);
  done = true;
  runner.join();
  CHECK(mixed == 0);
}

TEST_CASE("a checkpoint renamed over during concurrent restores is read whole, sized by its descriptor") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::zeros_initializer());
  tf::Session sess(f.g);
  // two valid files of different sizes with the same v
  const std::string small = header_file("{" + entry("v", "F32", "[2]", 0, 8) + "}", kOneTwo);
  const std::string large =
      header_file("{" + entry("v", "F32", "[2]", 0, 8) + "," + entry("pad", "U8", "[4096]", 8, 4104) + "}",
                  kOneTwo + std::string(4096, 'p'));
  const std::string path = dir.file("ckpt");
  write_bytes(path, small);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; !done; ++i) {
      const std::string next = dir.file("next");
      write_bytes(next, i % 2 ? small : large);
      fs::rename(next, path);
    }
  });
  int failures = 0;
  std::string first_error;
  for (int i = 0; i < 300; ++i) {
    const std::string e = error_of([&] { tf::train::Saver({v}).restore(sess, path); });
    if (!e.empty() && failures++ == 0) first_error = e;
  }
  done = true;
  writer.join();
  INFO(first_error);
  CHECK(failures == 0);
}

TEST_CASE("system errors map to error kinds, with the checkpoint's path in the message") {
  using minitf::train::testing::throw_for_errno;
  const auto kind = [](int err) -> std::string {
    try {
      throw_for_errno(err, "Cannot write checkpoint", "/p/ckpt");
    } catch (const tf::NotFoundError&) {
      return "NotFound";
    } catch (const tf::PermissionDeniedError&) {
      return "PermissionDenied";
    } catch (const tf::ResourceExhaustedError&) {
      return "ResourceExhausted";
    } catch (const tf::FailedPreconditionError&) {
      return "FailedPrecondition";
    } catch (const tf::InvalidArgumentError&) {
      return "InvalidArgument";
    } catch (const tf::AlreadyExistsError&) {
      return "AlreadyExists";
    } catch (const tf::DataLossError&) {
      return "DataLoss";
    } catch (const tf::UnimplementedError&) {
      return "Unimplemented";
    } catch (const tf::Error&) {
      return "Error";
    }
  };
  const std::vector<std::pair<int, std::string>> table = {
      {ENOENT, "NotFound"},
      {ENOTDIR, "NotFound"},
      {EACCES, "PermissionDenied"},
      {EPERM, "PermissionDenied"},
      {EROFS, "PermissionDenied"},
      {ENOSPC, "ResourceExhausted"},
      {EDQUOT, "ResourceExhausted"},
      {ENOMEM, "ResourceExhausted"},
      {EMFILE, "ResourceExhausted"},
      {EFBIG, "ResourceExhausted"},
      {EISDIR, "FailedPrecondition"},
      {ELOOP, "InvalidArgument"},
      {ENAMETOOLONG, "InvalidArgument"},
      {EEXIST, "AlreadyExists"},
      {EIO, "DataLoss"},
      {ENOSYS, "Unimplemented"},
      {EXDEV, "Error"},
  };
  for (const auto& [err, expected] : table) {
    INFO(std::strerror(err));
    CHECK(kind(err) == expected);
  }
  REQUIRE_THROWS_MATCHES(throw_for_errno(EROFS, "Cannot write checkpoint", "/p/ckpt"),
                         tf::PermissionDeniedError,
                         Has("Cannot write checkpoint /p/ckpt: Read-only file system"));
  REQUIRE_THROWS_MATCHES(throw_for_errno(ENOSPC, "Cannot write checkpoint", "/p/ckpt"),
                         tf::ResourceExhaustedError, Has("/p/ckpt: No space left on device"));
  REQUIRE_THROWS_MATCHES(throw_for_errno(EISDIR, "Cannot save checkpoint", "/p"), tf::FailedPreconditionError,
                         Has("Cannot save checkpoint /p: it is a directory"));
}

TEST_CASE("a directory, a FIFO or a device is not a checkpoint: a clear error, and no waiting on a FIFO") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g);
  sess.run(v.initializer());
  tf::train::Saver saver({v});
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  REQUIRE_THROWS_MATCHES(saver.restore(sess, dir.path.string()), tf::FailedPreconditionError,
                         Has("is not a regular file: it is a directory"));
  REQUIRE_THROWS_MATCHES(saver.restore(sess, fifo), tf::FailedPreconditionError, Has("it is a FIFO"));
  REQUIRE_THROWS_MATCHES(saver.restore(sess, "/dev/null"), tf::FailedPreconditionError,
                         Has("a character device"));
  REQUIRE_THROWS_MATCHES(saver.save(sess, dir.path.string()), tf::FailedPreconditionError,
                         Has(dir.path.string() + ": it is a directory"));
  REQUIRE_THROWS_MATCHES(saver.save(sess, dir.file("sub/")), tf::FailedPreconditionError,
                         Has("sub/: the path names a directory"));
  REQUIRE_THROWS_MATCHES(saver.save(sess, fifo), tf::FailedPreconditionError,
                         Has("not a regular file but a FIFO"));
  CHECK(names_in(dir.path) == std::set<std::string>{"fifo"});
}

TEST_CASE("a checkpoint truncated after it was opened is a DataLossError") {
  TempDir dir;
  write_bytes(dir.file("f"), std::string(100, 'x'));
  minitf::detail::CheckpointReader reader(dir.file("f"));
  REQUIRE(::truncate(dir.file("f").c_str(), 10) == 0);
  CHECK(reader.size() == 100);
  std::vector<uint8_t> out(100);
  REQUIRE_THROWS_MATCHES(reader.read_at(0, out), tf::DataLossError, Has("truncated since it was opened"));
}

TEST_CASE("int64 and bool variables round-trip as I64 and BOOL and read PyTorch's files and bad BOOL bytes are refused") {
  TempDir dir;
  FreshGraph f;
  auto step = tf::get_variable("global_step", {}, tf::zeros_initializer(), tf::int64);
  auto mask = tf::get_variable("mask", {2}, tf::ones_initializer(), tf::bool_);
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  CHECK(sess.run(mask).data<bool>()[1] == true);
  sess.assign_variable(step.op(), tf::Tensor::from<int64_t>({}, {int64_t{1} << 40}));
  sess.assign_variable(mask.op(), tf::Tensor::from<bool>({2}, {false, true}));
  const std::string path = tf::train::Saver({step, mask}).save(sess, dir.file("ckpt"));
  sess.assign_variable(step.op(), tf::Tensor::from<int64_t>({}, {3}));
  sess.assign_variable(mask.op(), tf::Tensor::from<bool>({2}, {true, true}));
  tf::train::Saver({step, mask}).restore(sess, path);
  CHECK(sess.run(step).scalar<int64_t>() == (int64_t{1} << 40));
  CHECK(sess.run(mask).data<bool>()[0] == false);
  CHECK(sess.run(mask).data<bool>()[1] == true);

  // The PyTorch-style file of the test above: its I64 and BOOL entries now have variables to go to.
  write_bytes(dir.file("torch"), header_file("{" + entry("global_step", "I64", "[]", 0, 8) + "," +
                                                 entry("mask", "BOOL", "[2]", 8, 10) + "}",
                                             std::string("\x07\0\0\0\0\0\0\0\x01\x00", 10)));
  tf::train::Saver({step, mask}).restore(sess, dir.file("torch"));
  CHECK(sess.run(step).scalar<int64_t>() == 7);
  CHECK(sess.run(mask).data<bool>()[0] == true);
  CHECK(sess.run(mask).data<bool>()[1] == false);

  write_bytes(dir.file("bad"), header_file("{" + entry("mask", "BOOL", "[2]", 0, 2) + "}", std::string("\x01\x02", 2)));
  REQUIRE_THROWS_MATCHES(tf::train::Saver({mask}).restore(sess, dir.file("bad")), tf::InvalidArgumentError,
                         Has("BOOL but holds the byte 2 at element 1"));
  CHECK(sess.run(mask).data<bool>()[1] == false);  // unchanged
}
